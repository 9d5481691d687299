/**
 * The client's transport: one HTTP exchange with a string body and a string answer, on node:http(s) with a
 * keep-alive agent whose sockets match the client's concurrency. Per request it costs a fraction of Node's built-in
 * fetch (undici): no WHATWG Request/Response/Headers/ReadableStream objects and no AbortSignal, only the request,
 * a timer and the answer's text (measured on a 1,000-config deploy: about 0.4 ms of client CPU per PUT instead of
 * 1.4 ms; see bench/cases/deploy-v2.mjs). Errors take fetch's shapes, so the retry rules in retry.ts read them the
 * same way: a socket failure is `TypeError('fetch failed')` with the socket error as `cause`, a timeout is a
 * `TimeoutError` DOMException. Redirects are not followed (an API that answers 3xx is reported with its status).
 */
import http from 'node:http';
import https from 'node:https';

/** One request: method, headers, optional string body, and the time the whole exchange may take. */
export interface HttpCall {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** One answer, its body read to the end. */
export interface HttpReply {
  status: number;
  statusText: string;
  /** A response header by name (any case), or null. */
  header(name: string): string | null;
  text: string;
}

/** Sends `call` to `pathAndQuery` (starting with `/`) on the transport's server. */
export type Transport = (pathAndQuery: string, call: HttpCall) => Promise<HttpReply>;

/** Statuses whose answer has no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The transport on node:http(s) for `baseUrl` (no trailing slash), its connections kept alive, `maxSockets` at most. */
export function keepAliveTransport(baseUrl: string, maxSockets: number): Transport {
  const base = new URL(baseUrl);
  const secure = base.protocol === 'https:';
  const lib = secure ? https : http;
  const agent = new lib.Agent({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    scheduling: 'lifo',
  });
  const hostname = base.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = base.port || (secure ? 443 : 80);
  const prefix = base.pathname.replace(/\/+$/, '');
  return (pathAndQuery, call) =>
    new Promise<HttpReply>((resolve, reject) => {
      const headers = call.body === undefined ? call.headers : { ...call.headers };
      if (call.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(call.body));
      let settled = false;
      let timedOut: Error | undefined;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(timedOut ?? new TypeError('fetch failed', { cause: err }));
      };
      const req = lib.request(
        { hostname, port, path: prefix + pathAndQuery, method: call.method, headers, agent },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (c: string) => (text += c));
          res.on('error', fail);
          res.on('aborted', () => fail(new Error('the server closed the connection mid-answer')));
          res.on('end', () => {
            if (!res.complete || settled) return; // 'aborted' reports it
            settled = true;
            clearTimeout(timer);
            const status = res.statusCode ?? 0;
            const h = res.headers;
            resolve({
              status,
              statusText: res.statusMessage ?? '',
              header: (name) => {
                const v = h[name.toLowerCase()];
                return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
              },
              text: NULL_BODY.has(status) ? '' : text,
            });
          });
        },
      );
      const timer = setTimeout(() => {
        timedOut = new DOMException(
          `no answer within ${call.timeoutMs} ms`,
          'TimeoutError',
        ) as unknown as Error;
        req.destroy(timedOut);
      }, call.timeoutMs);
      req.on('error', fail);
      req.end(call.body);
    });
}

/** The transport on a fetch implementation (tests pass one): the same answers, through WHATWG fetch. */
export function fetchTransport(baseUrl: string, fetchImpl: typeof fetch): Transport {
  return async (pathAndQuery, call) => {
    const response = await fetchImpl(baseUrl + pathAndQuery, {
      method: call.method,
      headers: call.headers,
      ...(call.body === undefined ? {} : { body: call.body }),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    const text = await response.text();
    return {
      status: response.status,
      statusText: response.statusText,
      header: (name) => response.headers.get(name),
      text,
    };
  };
}
