/** The HTTP client against small scripted node:http servers on 127.0.0.1 (real sockets, scripted answers). */
import { afterEach, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryLogger } from '@itemstore/core';
import {
  HttpItemStore,
  ItemStoreError,
  backoffDelay,
  defaultRetryPolicy,
  parseRetryAfter,
} from '@itemstore/v2';

const TOKEN = 'sekrit-token-abc123';
let open: Server[] = [];
afterEach(async () => {
  for (const s of open) s.closeAllConnections();
  await Promise.all(open.map((s) => new Promise((r) => s.close(r))));
  open = [];
});

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
async function scripted(
  handler: Handler,
): Promise<{ url: string; calls: () => number; maxInFlight: () => number }> {
  let n = 0;
  let inFlight = 0;
  let max = 0;
  const server = createServer((req, res) => {
    inFlight++;
    max = Math.max(max, inFlight);
    res.on('close', () => inFlight--);
    req.resume();
    req.on('end', () => handler(req, res, n++));
  });
  open.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => n,
    maxInFlight: () => max,
  };
}

function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-Request-Id': `rid-${status}`, ...headers });
  res.end(JSON.stringify(body));
}

function client(
  url: string,
  sleeps: number[],
  extra: Partial<ConstructorParameters<typeof HttpItemStore>[0]> = {},
) {
  return new HttpItemStore({
    url,
    token: TOKEN,
    retry: { retries: 4, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    ...extra,
  });
}

describe('retries', () => {
  test('503 and 500 are retried with growing, jittered delays; the answer after them is used', async () => {
    const s = await scripted((_req, res, n) =>
      n < 2
        ? answer(res, n ? 500 : 503, { error: { code: 'x', message: 'down' } })
        : answer(res, 200, { itemId: 'it_1', tags: {} }),
    );
    const sleeps: number[] = [];
    expect(await client(s.url, sleeps).getItem('it_1')).toMatchObject({ itemId: 'it_1' });
    expect(s.calls()).toBe(3);
    expect(sleeps).toEqual([100, 200]); // random 0.5 of 200·2^0 and 200·2^1
  });

  test('429 honours Retry-After (seconds)', async () => {
    const s = await scripted((_req, res, n) =>
      n === 0
        ? answer(res, 429, { error: { code: 'slow_down', message: 'wait' } }, { 'Retry-After': '3' })
        : answer(res, 200, { ok: 1 }),
    );
    const sleeps: number[] = [];
    await client(s.url, sleeps).health();
    expect(sleeps).toEqual([3000]);
  });

  test('when retries run out the error names the call, the status, the code and the request id', async () => {
    const s = await scripted((_req, res) =>
      answer(res, 503, { error: { code: 'unavailable', message: 'try later' } }),
    );
    const err = await client(s.url, [])
      .getItem('it_9')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ItemStoreError);
    expect((err as Error).message).toBe(
      'GET /v2/items/it_9 answered 503 unavailable: try later (request id rid-503, after 5 attempts).',
    );
    expect(s.calls()).toBe(5);
  });

  test('4xx answers are not retried', async () => {
    const s = await scripted((_req, res) =>
      answer(res, 412, { error: { code: 'precondition_failed', message: 'no' } }),
    );
    const err = (await client(s.url, [])
      .putContents('it_1', 'dev', '{}\n', { ifMatch: 'abc' })
      .catch((e: unknown) => e)) as ItemStoreError;
    expect(err.status).toBe(412);
    expect(err.message).toContain('request id rid-412');
    expect(s.calls()).toBe(1);
  });

  test('connection failures are retried, then reported', async () => {
    const s = await scripted(() => {});
    const url = s.url;
    for (const srv of open) srv.close();
    open = [];
    const sleeps: number[] = [];
    const err = await client(url, sleeps)
      .health()
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^GET \/v2\/health failed after 5 attempts: connection failed \(ECONNREFUSED\)\.$/,
    );
    expect(sleeps).toHaveLength(4);
  });

  test('an attempt that gets no answer in time is abandoned and retried', async () => {
    const s = await scripted((_req, res, n) =>
      n === 0 ? undefined : answer(res, 200, { version: 1, md5: 'a'.repeat(32) }),
    );
    const sleeps: number[] = [];
    const r = await client(s.url, sleeps, { timeoutMs: 150 }).promote('it_1', 'qa', {
      fromEnvironment: 'dev',
    });
    expect(r).toEqual({ version: 1, md5: 'a'.repeat(32), unchanged: false });
    expect(s.calls()).toBe(2);
    expect(sleeps).toHaveLength(1);
  });
});

test('the token is sent, masked, and never in errors or logs, even when the server echoes it', async () => {
  const seen: string[] = [];
  const s = await scripted((req, res) => {
    seen.push(String(req.headers.authorization));
    answer(res, 500, { error: { code: 'oops', message: `bad token ${TOKEN}` } });
  });
  const logger = new MemoryLogger();
  const masked: string[] = [];
  const store = new HttpItemStore({
    url: s.url,
    token: TOKEN,
    logger: Object.assign(logger, { mask: (x: string) => void masked.push(x) }),
    retry: { retries: 2, sleep: async () => {}, random: () => 0 },
  });
  const err = (await store.search('ns', { name: 'a' }).catch((e: unknown) => e)) as Error;
  expect(seen[0]).toBe(`Bearer ${TOKEN}`);
  expect(masked).toEqual([TOKEN]);
  expect(err.message).toContain('bad token ***');
  expect(err.message).not.toContain(TOKEN);
  expect(err.message).toContain('request id rid-500');
  expect(logger.lines.length).toBeGreaterThan(0);
  expect(JSON.stringify(logger.lines)).not.toContain(TOKEN);
});

test('at most `concurrency` requests are in flight', async () => {
  const s = await scripted((_req, res) => setTimeout(() => answer(res, 200, { items: [] }), 20));
  const store = new HttpItemStore({ url: s.url, token: TOKEN, concurrency: 3 });
  await Promise.all(Array.from({ length: 24 }, () => store.search('ns', {})));
  expect(s.calls()).toBe(24);
  expect(s.maxInFlight()).toBe(3);
});

test('backoff: full jitter under an exponential ceiling; Retry-After as seconds or a date', () => {
  const policy = { ...defaultRetryPolicy, random: () => 0.999 };
  expect([0, 1, 2, 3, 10].map((a) => backoffDelay(policy, a))).toEqual([199, 399, 799, 1598, 9990]);
  expect(backoffDelay({ ...policy, random: () => 0 }, 3, 2500)).toBe(2500);
  expect(backoffDelay(policy, 0, 10 * 60_000)).toBe(60_000);
  expect(parseRetryAfter('2')).toBe(2000);
  expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  expect(parseRetryAfter('soon')).toBeUndefined();
});

test('a bad URL or a missing token is a usage error before any request', () => {
  expect(() => new HttpItemStore({ url: 'not a url', token: 't' })).toThrow('is not a valid URL');
  expect(() => new HttpItemStore({ url: 'ftp://x', token: 't' })).toThrow('https://');
  expect(() => new HttpItemStore({ url: 'http://x', token: '' })).toThrow('token is required');
});

describe('transport', () => {
  test('a base URL with a path: every call goes under it, with its query encoded as a form', async () => {
    const seen: string[] = [];
    const s = await scripted((req, res) => {
      seen.push(String(req.url));
      answer(res, 200, { items: [] });
    });
    await new HttpItemStore({ url: `${s.url}/api/`, token: TOKEN }).search('ns one', { name: 'a b:c' });
    expect(seen).toEqual(['/api/v2/namespaces/ns%20one/items?tag=name%3Aa+b%3Ac']);
  });

  test('no answer within the timeout, every attempt: one sentence with the time, marked timedOut', async () => {
    const s = await scripted(() => undefined);
    const sleeps: number[] = [];
    const err = (await client(s.url, sleeps, { timeoutMs: 100, retry: { retries: 1 } })
      .getItem('it_1')
      .catch((e: unknown) => e)) as ItemStoreError;
    expect(err).toBeInstanceOf(ItemStoreError);
    expect(err.message).toBe('GET /v2/items/it_1 failed after 2 attempts: no answer within 100 ms.');
    expect(err.details.timedOut).toBe(true);
    expect(s.calls()).toBe(2);
  });

  test('a fetch passed in is used instead, with the same answers', async () => {
    const s = await scripted((_req, res) => answer(res, 200, { ok: true }, { ETag: '"abc"' }));
    const calls: string[] = [];
    const store = new HttpItemStore({
      url: s.url,
      token: TOKEN,
      fetch: (input, init) => {
        calls.push(`${init?.method} ${String(input)}`);
        return fetch(input, init);
      },
    });
    expect(await store.health()).toEqual({ ok: true });
    expect(calls).toEqual([`GET ${s.url}/v2/health`]);
  });
});
