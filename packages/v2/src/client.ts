import type { Tags } from '@itemstore/config';
import pLimit from 'p-limit';
import { md5Hex, silentLogger, UsageError, type Logger } from '@itemstore/core';
import {
  backoffDelay,
  defaultRetryPolicy,
  isRetryableNetworkError,
  isRetryableStatus,
  networkErrorCode,
  parseRetryAfter,
  type RetryPolicy,
} from './retry.js';
import { scopeFix } from './scopes.js';
import { fetchTransport, keepAliveTransport, type HttpReply, type Transport } from './http-transport.js';
import {
  GENERATE_IDS_MAX,
  type Contents,
  type Item,
  type ItemStore,
  type ManifestPage,
  type PromoteOptions,
  type PutOptions,
  type SearchPage,
  type VersionInfo,
  type VersionMetadata,
  type WriteResult,
} from './types.js';

/** A call to Item Store V2 that failed for good. The message names the call, the status and the request id. */
export class ItemStoreError extends Error {
  override readonly name = 'ItemStoreError';
  constructor(
    message: string,
    readonly details: {
      method: string;
      path: string;
      status?: number;
      code?: string;
      requestId?: string;
      attempts: number;
      /** The server's base URL (for messages that say which server did not answer). */
      url?: string;
      /** The socket or TLS error code of a request that got no answer (ECONNREFUSED, ENOTFOUND, …). */
      networkCode?: string;
      /** No answer within the per-attempt timeout. */
      timedOut?: boolean;
      /** A 403 for a token scope: the scope the request needed (SPEC §5). */
      requiredScope?: string;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get status(): number | undefined {
    return this.details.status;
  }
  get code(): string | undefined {
    return this.details.code;
  }
}

export interface HttpItemStoreOptions {
  /** Base URL, e.g. `https://itemstore.example.com` (the client adds `/v2/...`). */
  url: string;
  token: string;
  /** Per-attempt timeout in milliseconds. */
  timeoutMs?: number;
  /** Most requests in flight at once. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** For tests: another fetch implementation (default: node:http with keep-alive sockets, see http-transport.ts). */
  fetch?: typeof fetch;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: [string, string][];
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses that are answers, not errors (e.g. 404 for "absent"). */
  accept?: number[];
}

interface RawResponse {
  status: number;
  /** A response header by name (any case), or null. */
  header(name: string): string | null;
  text: string;
  requestId: string | undefined;
}

/**
 * The HTTP client of the ItemStore interface (transport: http-transport.ts). Every call: bounded concurrency, a timeout per
 * attempt, retries with backoff and jitter on 429, 5xx and connection failures (writes are safe to retry: the
 * server answers `unchanged` to a PUT equal to the latest version, and a DELETE of a tombstone likewise).
 */
export class HttpItemStore implements ItemStore {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly logger: Logger;
  private readonly transport: Transport;
  /** The headers every request sends (the token's, built once). */
  private readonly baseHeaders: Record<string, string>;
  /** Requests sent, retries included (for reports and benchmarks). */
  requestCount = 0;

  constructor(options: HttpItemStoreOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new UsageError(`The Item Store URL "${options.url}" is not a valid URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`The Item Store URL must start with https:// (or http:// for a local server).`);
    }
    if (!options.token) throw new UsageError('An Item Store token is required.');
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.token = options.token;
    this.logger = options.logger ?? silentLogger;
    this.logger.mask?.(options.token);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    const concurrency = Math.max(1, options.concurrency ?? 8);
    this.limit = pLimit(concurrency);
    // Keep-alive sockets, as many as requests in flight: every request after the first few reuses a connection.
    this.transport = options.fetch
      ? fetchTransport(this.baseUrl, options.fetch)
      : keepAliveTransport(this.baseUrl, concurrency);
    this.baseHeaders = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
  }

  async generateId(namespace: string, tags: Tags): Promise<{ itemId: string; created: boolean }> {
    const r = await this.json<{ itemId: string; created: boolean }>({
      method: 'POST',
      path: `/v2/namespaces/${enc(namespace)}/items:generateId`,
      body: { tags },
    });
    return { itemId: r.itemId, created: Boolean(r.created) };
  }

  async generateIds(
    namespace: string,
    tags: readonly Tags[],
  ): Promise<{ itemId: string; created: boolean }[]> {
    // Batches of at most GENERATE_IDS_MAX tag sets and about 1 MB of JSON each (32 long tags per set would
    // otherwise pass the server's body limit), sent like any other call: in parallel, under the concurrency limit.
    const batches: Tags[][] = [];
    let batch: Tags[] = [];
    let bytes = 0;
    for (const t of tags) {
      const size = JSON.stringify(t).length;
      if (batch.length && (batch.length >= GENERATE_IDS_MAX || bytes + size > BATCH_BODY_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(t);
      bytes += size;
    }
    if (batch.length) batches.push(batch);
    const answers = await Promise.all(
      batches.map(async (b) => {
        const r = await this.json<{ items: { itemId: string; created: boolean }[] }>({
          method: 'POST',
          path: `/v2/namespaces/${enc(namespace)}/items:batchGenerateId`,
          body: { items: b.map((t) => ({ tags: t })) },
        });
        if (!Array.isArray(r.items) || r.items.length !== b.length) {
          throw new ItemStoreError(
            `POST /v2/namespaces/${namespace}/items:batchGenerateId answered ${r.items?.length ?? 'no'} ids for ${b.length} tag sets.`,
            { method: 'POST', path: `/v2/namespaces/${enc(namespace)}/items:batchGenerateId`, attempts: 1 },
          );
        }
        return r.items.map((i) => ({ itemId: i.itemId, created: Boolean(i.created) }));
      }),
    );
    return answers.flat();
  }

  async search(namespace: string, tags: Tags, options: { pageToken?: string } = {}): Promise<SearchPage> {
    const query: [string, string][] = Object.entries(tags).map(([k, v]) => ['tag', `${k}:${v}`]);
    if (options.pageToken) query.push(['pageToken', options.pageToken]);
    return this.json<SearchPage>({ method: 'GET', path: `/v2/namespaces/${enc(namespace)}/items`, query });
  }

  async getItem(itemId: string): Promise<Item | undefined> {
    const r = await this.request({ method: 'GET', path: `/v2/items/${enc(itemId)}`, accept: [404] });
    return r.status === 404 ? undefined : (parse(r) as Item);
  }

  async getContents(itemId: string, environment: string, version?: number): Promise<Contents | undefined> {
    const r = await this.request({
      method: 'GET',
      path: `/v2/items/${enc(itemId)}/environments/${enc(environment)}/contents`,
      query: version === undefined ? [] : [['version', String(version)]],
      accept: [404],
    });
    if (r.status === 404) return undefined;
    const etag = r.header('etag')?.replace(/^W\//, '').replace(/"/g, '');
    return {
      content: r.text,
      md5: etag || md5Hex(r.text),
      version: Number(r.header('x-item-version') ?? 0),
    };
  }

  async putContents(
    itemId: string,
    environment: string,
    content: string,
    options: PutOptions = {},
  ): Promise<WriteResult> {
    const headers: Record<string, string> = {};
    if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
    if (options.ifNoneMatch) headers['If-None-Match'] = '*';
    const r = await this.json<{ version: number; md5: string; unchanged?: boolean }>({
      method: 'PUT',
      path: `/v2/items/${enc(itemId)}/environments/${enc(environment)}/contents`,
      body: { content, md5: options.md5 ?? md5Hex(content), metadata: options.metadata ?? {} },
      headers,
    });
    return { version: r.version, md5: r.md5, unchanged: Boolean(r.unchanged) };
  }

  async deleteItem(
    itemId: string,
    environment: string,
    options: { metadata?: VersionMetadata; ifMatch?: string } = {},
  ): Promise<WriteResult> {
    const r = await this.json<{ version: number; md5: string; unchanged?: boolean }>({
      method: 'DELETE',
      path: `/v2/items/${enc(itemId)}/environments/${enc(environment)}`,
      body: { metadata: options.metadata ?? {} },
      headers: options.ifMatch === undefined ? {} : { 'If-Match': `"${options.ifMatch}"` },
    });
    return { version: r.version, md5: r.md5, unchanged: Boolean(r.unchanged) };
  }

  async promote(itemId: string, environment: string, options: PromoteOptions): Promise<WriteResult> {
    const r = await this.json<{ version: number; md5: string; unchanged?: boolean }>({
      method: 'POST',
      path: `/v2/items/${enc(itemId)}/environments/${enc(environment)}:promote`,
      body: options,
    });
    return { version: r.version, md5: r.md5, unchanged: Boolean(r.unchanged) };
  }

  async versions(itemId: string, environment: string): Promise<VersionInfo[]> {
    const r = await this.request({
      method: 'GET',
      path: `/v2/items/${enc(itemId)}/environments/${enc(environment)}/versions`,
      accept: [404],
    });
    return r.status === 404 ? [] : (parse(r) as { versions: VersionInfo[] }).versions;
  }

  async manifest(
    environment: string,
    options: { namespace?: string; pageToken?: string; pageSize?: number } = {},
  ): Promise<ManifestPage> {
    const query: [string, string][] = [];
    if (options.pageSize) query.push(['pageSize', String(options.pageSize)]);
    if (options.namespace) query.push(['namespace', options.namespace]);
    if (options.pageToken) query.push(['pageToken', options.pageToken]);
    return this.json<ManifestPage>({
      method: 'GET',
      path: `/v2/environments/${enc(environment)}/manifest`,
      query,
    });
  }

  async health(): Promise<{ ok: boolean }> {
    const r = await this.request({ method: 'GET', path: '/v2/health' });
    return { ok: r.status === 200 };
  }

  /** Belt and braces: a server that echoes the token back must not put it into our messages. */
  private redact(text: string): string {
    return text.split(this.token).join('***');
  }

  private async json<T>(spec: RequestSpec): Promise<T> {
    return parse(await this.request(spec)) as T;
  }

  /** One call: queued behind the concurrency limit, then attempted until it answers or the retries run out. */
  private request(spec: RequestSpec): Promise<RawResponse> {
    return this.limit(() => this.attempt(spec));
  }

  private async attempt(spec: RequestSpec): Promise<RawResponse> {
    const pathAndQuery = spec.query?.length
      ? `${spec.path}?${new URLSearchParams(spec.query).toString()}`
      : spec.path;
    const what = `${spec.method} ${spec.path}`;
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers =
      body === undefined && !spec.headers
        ? this.baseHeaders
        : {
            ...this.baseHeaders,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...spec.headers,
          };
    let refusedSince: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.policy.retries;
      let response: HttpReply;
      try {
        this.requestCount++;
        response = await this.transport(pathAndQuery, {
          method: spec.method,
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs: this.timeoutMs,
        });
      } catch (err) {
        const reason = describeNetworkError(err, this.timeoutMs);
        const networkCode = networkErrorCode(err);
        const delay = backoffDelay(this.policy, attempt);
        // A refused connection means nothing listens there (yet: a server restarting comes back within seconds):
        // retried for a few seconds only, so a wrong URL fails within 10 s.
        if (networkCode === 'ECONNREFUSED') refusedSince ??= Date.now();
        const refusedOut =
          refusedSince !== undefined && Date.now() - refusedSince + delay > CONNECTION_REFUSED_BUDGET_MS;
        if (last || refusedOut || !isRetryableNetworkError(err)) {
          throw new ItemStoreError(
            `${what} failed after ${attempt + 1} attempt${attempt ? 's' : ''}: ${reason}.`,
            {
              method: spec.method,
              path: spec.path,
              attempts: attempt + 1,
              url: this.baseUrl,
              ...(networkCode ? { networkCode } : {}),
              ...((err as { name?: unknown })?.name === 'TimeoutError' ? { timedOut: true } : {}),
            },
            { cause: err },
          );
        }
        this.logger.info(
          `retrying (${attempt + 1}/${this.policy.retries}) after ${reason}: ${what}, in ${delay} ms`,
        );
        await this.policy.sleep(delay);
        continue;
      }
      const { status, text } = response;
      const requestId = response.header('x-request-id') ?? undefined;
      const raw: RawResponse = { status, header: response.header, text, requestId };
      if ((status >= 200 && status < 300) || spec.accept?.includes(status)) return raw;
      const { code, message } = errorBody(text);
      if (!last && isRetryableStatus(response.status)) {
        const delay = backoffDelay(this.policy, attempt, parseRetryAfter(response.header('retry-after')));
        this.logger.info(
          `retrying (${attempt + 1}/${this.policy.retries}) after ${response.status}${code ? ` ${code}` : ''}: ${what} (request id ${requestId ?? 'none'}), in ${delay} ms`,
        );
        await this.policy.sleep(delay);
        continue;
      }
      const requiredScope = errorScope(text);
      throw new ItemStoreError(
        requiredScope
          ? // A token scope (SPEC §5): the cause and the fix in one sentence.
            `Item Store V2 at ${this.baseUrl} refused ${what} (403 ${code ?? 'missing_scope'}, request id ${requestId ?? 'none'}): ` +
              `${this.redact((message ?? '').replace(/\.$/, ''))}; ${scopeFix(requiredScope)}.`
          : `${what} answered ${response.status}${code ? ` ${code}` : ''}: ${this.redact(message ?? response.statusText)}` +
              ` (request id ${requestId ?? 'none'}${attempt ? `, after ${attempt + 1} attempts` : ''}).`,
        {
          ...(requiredScope ? { requiredScope } : {}),
          method: spec.method,
          path: spec.path,
          status: response.status,
          code,
          requestId,
          attempts: attempt + 1,
          url: this.baseUrl,
        },
      );
    }
  }
}

/** Body size a batch of generateId tag sets stays under (the server reads up to MAX_REQUEST_BODY_BYTES). */
const BATCH_BODY_BYTES = 1024 * 1024;

/** How long refused connections are retried (an unreachable server fails within 10 s, a restart is waited for). */
const CONNECTION_REFUSED_BUDGET_MS = 8_000;

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function parse(r: RawResponse): unknown {
  try {
    return JSON.parse(r.text);
  } catch {
    throw new ItemStoreError(
      `The Item Store answered ${r.status} with a body that is not JSON (request id ${r.requestId ?? 'none'}).`,
      { method: '', path: '', status: r.status, requestId: r.requestId, attempts: 1 },
    );
  }
}

function errorBody(text: string): { code?: string; message?: string } {
  try {
    const j = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return {
      ...(typeof j.error?.code === 'string' ? { code: j.error.code } : {}),
      ...(typeof j.error?.message === 'string' ? { message: j.error.message } : {}),
    };
  } catch {
    return text ? { message: text.slice(0, 200) } : {};
  }
}

/** The scope a 403 `missing_scope` names, when the body is the server's JSON error. */
function errorScope(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as { error?: { code?: unknown; requiredScope?: unknown } };
    return j.error?.code === 'missing_scope' && typeof j.error.requiredScope === 'string'
      ? j.error.requiredScope
      : undefined;
  } catch {
    return undefined;
  }
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (typeof e?.cause?.code === 'string') return `connection failed (${e.cause.code})`;
  return typeof e?.message === 'string' ? e.message : String(err);
}
