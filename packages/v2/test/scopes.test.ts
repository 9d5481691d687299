/**
 * Token scopes (SPEC §5, least privilege) on the reference server over HTTP: each refusal is a 403 whose JSON names
 * the missing scope, sent before any work (the item keeps its versions; the server's version counts do not move);
 * the client turns it into one sentence naming the cause and the fix; an unscoped token keeps full rights.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HttpItemStore,
  ItemStoreError,
  allows,
  startServer,
  type ItemStore,
  type RunningServer,
} from '@itemstore/v2';

const FULL = 'full-token-9c1e';
const TOKENS = {
  branch: { token: 'branch-token-1a2b', scopes: ['write:dev:branch'] },
  main: { token: 'main-token-3c4d', scopes: ['write:dev:main'] },
  qa: { token: 'promote-qa-token-5e6f', scopes: ['promote:qa'] },
  reader: { token: 'read-token-7a8b', scopes: ['read'] },
} as const;

let server: RunningServer;
let admin: HttpItemStore;
const client = (token: string): HttpItemStore =>
  new HttpItemStore({ url: server.url, token, retry: { retries: 0 } });
let mainId: string;
let branchId: string;

async function versionCounts(): Promise<unknown> {
  const res = await fetch(`${server.url}/v2/_stats`, { headers: { Authorization: `Bearer ${FULL}` } });
  return ((await res.json()) as { versions: unknown }).versions;
}

/** The request fails with a 403 naming `scope`, and the store holds exactly the versions it held before. */
async function refused(call: () => Promise<unknown>, scope: string): Promise<ItemStoreError> {
  const before = await versionCounts();
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ItemStoreError);
  const e = err as ItemStoreError;
  expect({ status: e.status, code: e.code, scope: e.details.requiredScope }).toEqual({
    status: 403,
    code: 'missing_scope',
    scope,
  });
  expect(await versionCounts()).toEqual(before);
  return e;
}

beforeAll(async () => {
  server = await startServer({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'v2-scopes-')),
    // The token as configured before scopes existed (full rights), plus named, scoped tokens.
    token: FULL,
    tokens: Object.entries(TOKENS).map(([name, t]) => ({ name, token: t.token, scopes: [...t.scopes] })),
  });
  admin = client(FULL);
  mainId = (await admin.generateId('ffi2', { name: 'feed', team: 'ffi2' })).itemId;
  branchId = (await admin.generateId('ffi2', { name: 'feed', team: 'ffi2', branch: 'feature/x' })).itemId;
  await admin.putContents(mainId, 'dev', '{"a": 1}\n');
  await admin.putContents(branchId, 'dev', '{"a": 2}\n');
});

afterAll(async () => {
  await server?.close();
});

describe('refusals: 403 naming the missing scope, before any write', () => {
  test("a branch token cannot write or delete main's items, nor write outside dev, nor make main's ids", async () => {
    const branch: ItemStore = client(TOKENS.branch.token);
    const e = await refused(() => branch.putContents(mainId, 'dev', '{"a": 9}\n'), 'write:dev:main');
    expect(e.message).toBe(
      `Item Store V2 at ${server.url} refused PUT /v2/items/${mainId}/environments/dev/contents (403 missing_scope, request id ${e.details.requestId}): ` +
        `The token "branch" may not write main's items (no branch tag) in dev: that needs the scope write:dev:main, and it has write:dev:branch; ` +
        "use the main token (the dev environment's ITEMSTORE_TOKEN, scope write:dev:main), which only runs on main get.",
    );
    await refused(() => branch.deleteItem(mainId, 'dev'), 'write:dev:main');
    await refused(() => branch.putContents(branchId, 'qa', '{"a": 2}\n'), 'write:qa:branch');
    await refused(() => branch.generateId('ffi2', { name: 'new', team: 'ffi2' }), 'write:<env>:main');
    await refused(() => branch.promote(branchId, 'qa', { fromEnvironment: 'dev' }), 'promote:qa');
    expect((await admin.getContents(mainId, 'dev'))?.content).toBe('{"a": 1}\n');
  });

  test("a main token cannot write a branch's items nor promote", async () => {
    const main = client(TOKENS.main.token);
    const e = await refused(() => main.putContents(branchId, 'dev', '{"a": 3}\n'), 'write:dev:branch');
    expect(e.message).toMatch(
      /may not write a feature branch's items \(tag branch\) in dev: that needs the scope write:dev:branch, and it has write:dev:main; use a branch token \(ITEMSTORE_BRANCH_TOKEN, scope write:dev:branch\)/,
    );
    await refused(() => main.promote(mainId, 'qa', { fromEnvironment: 'dev' }), 'promote:qa');
  });

  test('a promotion token promotes into its environment only; a read token only reads', async () => {
    const qa = client(TOKENS.qa.token);
    await refused(() => qa.promote(mainId, 'prod', { fromEnvironment: 'qa' }), 'promote:prod');
    await refused(() => qa.putContents(mainId, 'qa', '{"a": 1}\n'), 'write:qa:main');
    const reader = client(TOKENS.reader.token);
    await refused(() => reader.putContents(mainId, 'dev', '{"a": 5}\n'), 'write:dev:main');
    await refused(() => reader.deleteItem(branchId, 'dev'), 'write:dev:branch');
    // Reads: every scoped token may read.
    expect((await reader.getContents(mainId, 'dev'))?.content).toBe('{"a": 1}\n');
    expect((await qa.manifest('dev')).items).toHaveLength(2);
  });

  test('the 403 body is the JSON error with the missing scope (no token in it)', async () => {
    const res = await fetch(`${server.url}/v2/items/${mainId}/environments/dev/contents`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKENS.branch.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'x', md5: '9dd4e461268c8034f5c8564e155c67a6' }),
    });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: {
        code: 'missing_scope',
        message:
          'The token "branch" may not write main\'s items (no branch tag) in dev: that needs the scope write:dev:main, and it has write:dev:branch.',
        requiredScope: 'write:dev:main',
        tokenName: 'branch',
      },
    });
    expect(text).not.toContain(TOKENS.branch.token);
  });
});

describe('what each scope allows', () => {
  test('each token does its own job; an unscoped token keeps full rights', async () => {
    expect(await client(TOKENS.branch.token).putContents(branchId, 'dev', '{"a": 20}\n')).toMatchObject({
      version: 2,
    });
    expect(await client(TOKENS.main.token).putContents(mainId, 'dev', '{"a": 10}\n')).toMatchObject({
      version: 2,
    });
    expect(await client(TOKENS.qa.token).promote(mainId, 'qa', { fromEnvironment: 'dev' })).toMatchObject({
      version: 1,
    });
    expect(await admin.promote(mainId, 'prod', { fromEnvironment: 'qa' })).toMatchObject({ version: 1 });
    expect(await admin.deleteItem(branchId, 'dev')).toMatchObject({ version: 3 });
  });

  test('scope rules', () => {
    expect(allows(undefined, { action: 'promote', environment: 'prod' })).toBe(true);
    expect(allows(['write:dev'], { action: 'write', environment: 'dev', kind: 'branch' })).toBe(true);
    expect(allows(['write:dev'], { action: 'write', environment: 'dev', kind: 'main' })).toBe(true);
    expect(allows(['write:dev'], { action: 'write', environment: 'qa', kind: 'main' })).toBe(false);
    expect(allows(['write:dev:branch'], { action: 'write', kind: 'branch' })).toBe(true);
    expect(allows(['promote:qa'], { action: 'read' })).toBe(true);
    expect(allows([], { action: 'read' })).toBe(false);
  });

  test('an unknown scope refuses to start the server, naming it', async () => {
    await expect(
      startServer({
        port: 0,
        dataDir: mkdtempSync(join(tmpdir(), 'v2-scopes-bad-')),
        tokens: [{ name: 'typo', token: 't', scopes: ['write:dev:feature'] }],
      }),
    ).rejects.toThrow(
      'The token "typo" has the unknown scope "write:dev:feature": use read, write:<env>, write:<env>:branch, write:<env>:main or promote:<env>.',
    );
  });
});
