/**
 * Contract tests: the reference server over real HTTP on 127.0.0.1, every answer checked against the response
 * schemas of openapi/item-store-v2.yaml.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5Hex } from '@itemstore/core';
import { itemIdFor, startServer, TOMBSTONE_MD5, type RunningServer } from '@itemstore/v2';
import { OpenApiChecker } from './helpers/openapi.js';

const TOKEN = 'contract-token-1234';
const oas = new OpenApiChecker();
let server: RunningServer;
let dataDir: string;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** One raw call, its answer checked against the document. */
async function call(
  operationId: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string>; token?: string | null } = {},
): Promise<Answer> {
  const token = options.token === undefined ? TOKEN : options.token;
  const res = await fetch(server.url + path, {
    method,
    headers: {
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(options.body !== undefined || options.rawBody !== undefined
        ? { 'Content-Type': 'application/json' }
        : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.rawBody !== undefined ? { body: options.rawBody } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  expect(res.headers.get('x-request-id')).toMatch(/\S/);
  oas.check(operationId, res.status, res.headers, body);
  return { status: res.status, headers: res.headers, body, text };
}

async function newItem(ns: string, tags: Record<string, string>): Promise<string> {
  const r = await call('generateId', 'POST', `/v2/namespaces/${ns}/items:generateId`, { body: { tags } });
  return (r.body as { itemId: string }).itemId;
}

function put(
  itemId: string,
  env: string,
  content: string,
  headers: Record<string, string> = {},
  metadata = {},
) {
  return call('putContents', 'PUT', `/v2/items/${itemId}/environments/${env}/contents`, {
    body: { content, md5: md5Hex(content), metadata },
    headers,
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'v2-contract-'));
  server = await startServer({ port: 0, dataDir, token: TOKEN });
});
afterAll(async () => {
  await server.close();
});

test('the document describes every call of SPEC §5 (and the test-only stats)', () => {
  expect([...oas.operations().keys()].sort()).toEqual(
    [
      'deleteItem',
      'generateId',
      'batchGenerateId',
      'getContents',
      'getItem',
      'health',
      'listVersions',
      'manifest',
      'promote',
      'putContents',
      'search',
      'stats',
    ].sort(),
  );
});

test('the checker rejects answers the document does not allow', () => {
  const h = new Headers({ 'X-Request-Id': 'r1' });
  expect(() => oas.check('getItem', 200, h, { itemId: 'it_1', namespace: 'n', tags: {} })).toThrow();
  expect(() => oas.check('putContents', 201, h, { version: 0, md5: 'x' })).toThrow();
  expect(() => oas.check('putContents', 418, h, {})).toThrow('not documented');
  expect(() => oas.check('getItem', 404, new Headers(), { error: { code: 'a', message: 'b' } })).toThrow(
    'X-Request-Id',
  );
  expect(() => oas.check('getItem', 404, h, { error: { code: 'a', message: 'b' } })).not.toThrow();
});

test('health answers without a token, and tells nothing about the data', async () => {
  const h = await call('health', 'GET', '/v2/health', { token: null });
  expect(h.status).toBe(200);
  expect(h.body).toEqual({ status: 'ok' });
});

test('a malformed path answers 400 with a JSON error, no stack trace', async () => {
  for (const path of [
    '/v2/items/%',
    '/v2/items/%E0%A4%A/environments/dev/contents',
    '/v2/namespaces/%ZZ/items',
  ]) {
    const r = await call('getItem', 'GET', path);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'invalid_argument', message: expect.any(String) } });
    expect(r.text).not.toMatch(/at .*\.(ts|js):\d+/);
  }
});

test('an unchanged PUT or DELETE from another commit records it as confirmedBy, without a new version', async () => {
  const id = await newItem('confirm', { name: 'c' });
  await put(id, 'dev', 'x\n', {}, { commit: 'a'.repeat(40) });
  const again = await put(id, 'dev', 'x\n', {}, { commit: 'b'.repeat(40) });
  expect(again.body).toEqual({ version: 1, md5: md5Hex('x\n'), unchanged: true });
  const item = await call('getItem', 'GET', `/v2/items/${id}`);
  expect((item.body as { environments: Record<string, unknown> }).environments.dev).toMatchObject({
    version: 1,
    metadata: { commit: 'a'.repeat(40) },
    confirmedBy: 'b'.repeat(40),
  });
  const listed = await call('manifest', 'GET', '/v2/environments/dev/manifest?namespace=confirm');
  expect((listed.body as { items: unknown[] }).items).toEqual([
    expect.objectContaining({ itemId: id, commit: 'a'.repeat(40), confirmedBy: 'b'.repeat(40) }),
  ]);
  await call('deleteItem', 'DELETE', `/v2/items/${id}/environments/dev`, {
    body: { metadata: { commit: 'c'.repeat(40) } },
  });
  await call('deleteItem', 'DELETE', `/v2/items/${id}/environments/dev`, {
    body: { metadata: { commit: 'd'.repeat(40) } },
  });
  const after = await call('getItem', 'GET', `/v2/items/${id}`);
  expect((after.body as { environments: Record<string, unknown> }).environments.dev).toMatchObject({
    version: 2,
    deleted: true,
    confirmedBy: 'd'.repeat(40),
  });
});

test('everything but health needs the right token', async () => {
  const none = await call('getItem', 'GET', '/v2/items/it_x', { token: null });
  expect(none.status).toBe(401);
  expect(none.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
  const wrong = await call('search', 'GET', '/v2/namespaces/ns/items', { token: 'nope' });
  expect(wrong.status).toBe(401);
  expect(wrong.text).not.toContain(TOKEN);
});

describe('generateId', () => {
  test('the same tags always give the same id, in any key order; other tags another id', async () => {
    const a = await call('generateId', 'POST', '/v2/namespaces/gen/items:generateId', {
      body: { tags: { name: 'orders', team: 'ffi2' } },
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ created: true });
    const b = await call('generateId', 'POST', '/v2/namespaces/gen/items:generateId', {
      body: { tags: { team: 'ffi2', name: 'orders' } },
    });
    expect(b.status).toBe(200);
    expect(b.body).toEqual({ itemId: (a.body as { itemId: string }).itemId, created: false });
    const branch = await newItem('gen', { team: 'ffi2', name: 'orders', branch: 'Feature/ABC' });
    const branchLower = await newItem('gen', { team: 'ffi2', name: 'orders', branch: 'feature/abc' });
    const otherNs = await newItem('gen2', { team: 'ffi2', name: 'orders' });
    expect(new Set([(a.body as { itemId: string }).itemId, branch, branchLower, otherNs]).size).toBe(4);
  });

  test('bad tags answer 400 with a JSON error', async () => {
    for (const tags of [{}, { Name: 'x' }, { name: '' }, { name: 3 }, 'x']) {
      const r = await call('generateId', 'POST', '/v2/namespaces/gen/items:generateId', { body: { tags } });
      expect(r.status).toBe(400);
    }
    const notJson = await call('generateId', 'POST', '/v2/namespaces/gen/items:generateId', { rawBody: '{' });
    expect(notJson.status).toBe(400);
    expect((notJson.body as { error: { code: string } }).error.code).toBe('invalid_json');
  });
});

describe('batchGenerateId', () => {
  const batch = (items: unknown) =>
    call('batchGenerateId', 'POST', '/v2/namespaces/gb/items:batchGenerateId', { body: { items } });

  test('the ids generateId gives, in the order asked; created only for the items this call made', async () => {
    const known = await newItem('gb', { name: 'known', team: 't' });
    const r = await batch([
      { tags: { name: 'a', team: 't' } },
      { tags: { team: 't', name: 'known' } },
      { tags: { name: 'b', team: 't' } },
      { tags: { team: 't', name: 'a' } },
    ]);
    expect(r.status).toBe(200);
    const items = (r.body as { items: { itemId: string; created: boolean }[] }).items;
    expect(items.map((i) => i.itemId)).toEqual([
      itemIdFor('gb', { name: 'a', team: 't' }),
      known,
      itemIdFor('gb', { name: 'b', team: 't' }),
      itemIdFor('gb', { name: 'a', team: 't' }),
    ]);
    expect(items.map((i) => i.created)).toEqual([true, false, true, false]);
    const single = await call('generateId', 'POST', '/v2/namespaces/gb/items:generateId', {
      body: { tags: { name: 'b', team: 't' } },
    });
    expect(single.body).toEqual({ itemId: items[2]!.itemId, created: false });
  });

  test('one bad tag set, an empty list or more than 1,000 answer 400 and create nothing', async () => {
    const ok = { tags: { name: 'never', team: 't' } };
    for (const items of [[ok, { tags: { Name: 'x' } }], [ok, 'x'], [], 'x', Array(1001).fill(ok)]) {
      const r = await batch(items);
      expect(r.status).toBe(400);
      expect((r.body as { error: { code: string } }).error.code).toBe('invalid_argument');
    }
    const search = await call('search', 'GET', '/v2/namespaces/gb/items?tag=name:never');
    expect((search.body as { items: unknown[] }).items).toEqual([]);
  });
});

describe('contents', () => {
  test('PUT makes versions; equal content is unchanged and makes none; old versions stay readable', async () => {
    const id = await newItem('c', { name: 'a' });
    const v1 = await put(id, 'dev', '{"a": 1}\n', {}, { commit: 'c1', branch: 'main', path: 'x/a.yaml' });
    expect(v1.status).toBe(201);
    expect(v1.body).toEqual({ version: 1, md5: md5Hex('{"a": 1}\n') });
    const same = await put(id, 'dev', '{"a": 1}\n', {}, { commit: 'c2' });
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ version: 1, md5: md5Hex('{"a": 1}\n'), unchanged: true });
    expect((await put(id, 'dev', '{"a": 2}\n')).body).toMatchObject({ version: 2 });

    const item = await call('getItem', 'GET', `/v2/items/${id}`);
    expect(item.body).toMatchObject({
      itemId: id,
      namespace: 'c',
      tags: { name: 'a' },
      environments: { dev: { version: 2, md5: md5Hex('{"a": 2}\n'), deleted: false } },
    });
    const latest = await call('getContents', 'GET', `/v2/items/${id}/environments/dev/contents`);
    expect(latest.text).toBe('{"a": 2}\n');
    expect(latest.headers.get('etag')).toBe(`"${md5Hex('{"a": 2}\n')}"`);
    expect(latest.headers.get('x-item-version')).toBe('2');
    const first = await call('getContents', 'GET', `/v2/items/${id}/environments/dev/contents?version=1`);
    expect(first.text).toBe('{"a": 1}\n');
    expect(first.headers.get('x-item-version')).toBe('1');
    expect(
      (await call('getContents', 'GET', `/v2/items/${id}/environments/dev/contents?version=9`)).status,
    ).toBe(404);
    expect((await call('getContents', 'GET', `/v2/items/${id}/environments/qa/contents`)).status).toBe(404);
  });

  test('the server verifies md5 (400) and refuses bodies past 5 MiB (413)', async () => {
    const id = await newItem('c', { name: 'md5' });
    const bad = await call('putContents', 'PUT', `/v2/items/${id}/environments/dev/contents`, {
      body: { content: '{}\n', md5: md5Hex('{ }\n') },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string } }).error.code).toBe('md5_mismatch');
    const big = 'x'.repeat(5 * 1024 * 1024 + 10);
    const tooLarge = await call('putContents', 'PUT', `/v2/items/${id}/environments/dev/contents`, {
      body: { content: big, md5: md5Hex(big) },
    });
    expect(tooLarge.status).toBe(413);
    expect((await call('getItem', 'GET', `/v2/items/${id}`)).body).toMatchObject({ environments: {} });
  });

  test('If-Match and If-None-Match: 412 when the latest version is not the one expected', async () => {
    const id = await newItem('c', { name: 'cond' });
    expect((await put(id, 'dev', '1\n', { 'If-Match': `"${md5Hex('0\n')}"` })).status).toBe(412);
    expect((await put(id, 'dev', '1\n', { 'If-None-Match': '*' })).status).toBe(201);
    expect((await put(id, 'dev', '2\n', { 'If-None-Match': '*' })).status).toBe(412);
    expect((await put(id, 'dev', '2\n', { 'If-Match': `"${md5Hex('0\n')}"` })).status).toBe(412);
    expect((await put(id, 'dev', '2\n', { 'If-Match': `"${md5Hex('1\n')}"` })).status).toBe(201);
    // A retry of that PUT (same content, now stale If-Match) is unchanged, not 412: retries are safe.
    const retry = await put(id, 'dev', '2\n', { 'If-Match': `"${md5Hex('1\n')}"` });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ version: 2, unchanged: true });
  });

  test('concurrent writers: of 20 conditional PUTs on one version exactly one wins', async () => {
    const id = await newItem('c', { name: 'race' });
    await put(id, 'dev', 'base\n');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        put(id, 'dev', `writer ${i}\n`, { 'If-Match': `"${md5Hex('base\n')}"` }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 412)).toHaveLength(19);
    expect((await call('getItem', 'GET', `/v2/items/${id}`)).body).toMatchObject({
      environments: { dev: { version: 2 } },
    });
    // Unconditional concurrent writers are serialised: every one makes its own version.
    await Promise.all(Array.from({ length: 10 }, (_, i) => put(id, 'dev', `free ${i}\n`)));
    expect((await call('getItem', 'GET', `/v2/items/${id}`)).body).toMatchObject({
      environments: { dev: { version: 12 } },
    });
  });

  test('unknown items answer 404 with a JSON error', async () => {
    const r = await put('it_doesnotexist', 'dev', '{}\n');
    expect(r.status).toBe(404);
    expect((await call('getItem', 'GET', '/v2/items/it_doesnotexist')).status).toBe(404);
  });
});

describe('delete', () => {
  test('DELETE writes a tombstone version; again is unchanged; a later PUT brings the item back', async () => {
    const id = await newItem('d', { name: 'gone' });
    await put(id, 'dev', '{"v": 1}\n');
    const del = await call('deleteItem', 'DELETE', `/v2/items/${id}/environments/dev`, {
      body: { metadata: { commit: 'c9' } },
    });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ version: 2, md5: TOMBSTONE_MD5 });
    expect((await call('getItem', 'GET', `/v2/items/${id}`)).body).toMatchObject({
      environments: { dev: { version: 2, deleted: true, metadata: { commit: 'c9' } } },
    });
    const read = await call('getContents', 'GET', `/v2/items/${id}/environments/dev/contents`);
    expect(read.status).toBe(404);
    expect((read.body as { error: { code: string } }).error.code).toBe('deleted');
    expect(
      (await call('getContents', 'GET', `/v2/items/${id}/environments/dev/contents?version=1`)).text,
    ).toBe('{"v": 1}\n');
    const again = await call('deleteItem', 'DELETE', `/v2/items/${id}/environments/dev`);
    expect(again.body).toEqual({ version: 2, md5: TOMBSTONE_MD5, unchanged: true });
    expect((await put(id, 'dev', '{"v": 1}\n')).body).toEqual({ version: 3, md5: md5Hex('{"v": 1}\n') });
    expect((await call('deleteItem', 'DELETE', `/v2/items/${id}/environments/prod`)).status).toBe(404);
  });
});

describe('promote', () => {
  test('copies a version to another environment as a new version there; unchanged when equal', async () => {
    const id = await newItem('p', { name: 'promo' });
    await put(id, 'dev', 'one\n', {}, { commit: 'c1' });
    await put(id, 'dev', 'two\n', {}, { commit: 'c2' });
    const p = await call('promote', 'POST', `/v2/items/${id}/environments/qa:promote`, {
      body: { fromEnvironment: 'dev' },
    });
    expect(p.status).toBe(201);
    expect(p.body).toEqual({ version: 1, md5: md5Hex('two\n') });
    const again = await call('promote', 'POST', `/v2/items/${id}/environments/qa:promote`, {
      body: { fromEnvironment: 'dev' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ unchanged: true, version: 1 });
    const old = await call('promote', 'POST', `/v2/items/${id}/environments/qa:promote`, {
      body: { fromEnvironment: 'dev', version: 1 },
    });
    expect(old.body).toEqual({ version: 2, md5: md5Hex('one\n') });
    expect((await call('getContents', 'GET', `/v2/items/${id}/environments/qa/contents`)).text).toBe('one\n');
    expect((await call('getItem', 'GET', `/v2/items/${id}`)).body).toMatchObject({
      environments: { qa: { version: 2, metadata: { commit: 'c1', promotedFrom: 'dev@1' } } },
    });
    const missing = await call('promote', 'POST', `/v2/items/${id}/environments/prod:promote`, {
      body: { fromEnvironment: 'staging' },
    });
    expect(missing.status).toBe(404);
  });
});

describe('listing', () => {
  beforeAll(async () => {
    await Promise.all(
      Array.from({ length: 230 }, async (_, i) => {
        const id = await newItem('list', { name: `cfg${i}`, team: i % 2 ? 'odd' : 'even' });
        if (i % 3) await put(id, 'dev', `{"i": ${i}}\n`);
      }),
    );
  }, 30_000);

  test('search matches every given tag (supersets included) and pages by token', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call(
        'search',
        'GET',
        `/v2/namespaces/list/items?tag=team:odd&pageSize=50${token ? `&pageToken=${token}` : ''}`,
      );
      const body = r.body as {
        items: { itemId: string; tags: Record<string, string> }[];
        nextPageToken?: string;
      };
      for (const i of body.items) expect(i.tags.team).toBe('odd');
      seen.push(...body.items.map((i) => i.itemId));
      token = body.nextPageToken;
      pages++;
    } while (token);
    expect(seen).toHaveLength(115);
    expect(new Set(seen).size).toBe(115);
    expect(pages).toBe(3);
    const one = await call('search', 'GET', '/v2/namespaces/list/items?tag=team:odd&tag=name:cfg7');
    expect((one.body as { items: unknown[] }).items).toHaveLength(1);
    const bad = await call('search', 'GET', '/v2/namespaces/list/items?pageToken=garbage');
    expect(bad.status).toBe(400);
  });

  test('the manifest lists the latest version of every item in an environment, a page at a time', async () => {
    const all: { itemId: string; version: number; md5: string; deleted: boolean }[] = [];
    let token: string | undefined;
    do {
      const r = await call(
        'manifest',
        'GET',
        `/v2/environments/dev/manifest?namespace=list${token ? `&pageToken=${token}` : ''}`,
      );
      const body = r.body as { items: typeof all; nextPageToken?: string };
      all.push(...body.items);
      token = body.nextPageToken;
    } while (token);
    const expected = Array.from({ length: 230 }, (_, i) => i).filter((i) => i % 3);
    expect(all).toHaveLength(expected.length);
    expect(new Set(all.map((i) => i.itemId)).size).toBe(expected.length);
    expect(all.every((i) => i.version === 1 && !i.deleted)).toBe(true);
    const other = await call('manifest', 'GET', '/v2/environments/prod/manifest?namespace=list');
    expect(other.body).toEqual({ items: [] });
  });
});

test('_stats (test-only) counts requests by route and versions per item', async () => {
  const id = await newItem('s', { name: 'stats' });
  await put(id, 'dev', 'a\n');
  await put(id, 'dev', 'b\n');
  await put(id, 'dev', 'b\n');
  const r = await call('stats', 'GET', '/v2/_stats');
  const body = r.body as {
    requests: Record<string, number>;
    versions: Record<string, Record<string, number>>;
  };
  expect(body.versions[id]).toEqual({ dev: 2 });
  expect(body.requests['PUT /v2/items/{id}/environments/{env}/contents']).toBeGreaterThanOrEqual(3);
});

test('unknown calls answer 404 with a JSON error and a request id', async () => {
  const res = await fetch(`${server.url}/v3/nothing`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(404);
  expect(res.headers.get('x-request-id')).toBeTruthy();
  expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
});
