/** The reference server's durability: restarts, a SIGKILL mid-run, and faults injected after the work is done. */
import { afterAll, expect, test } from '@jest/globals';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { md5Hex } from '@itemstore/core';
import { HttpItemStore, itemIdFor } from '@itemstore/v2';
import { serveProcess, testCli, type Proc } from './helpers/processes.js';
import { spawn, spawnSync } from 'node:child_process';
import { TOKEN, fastClient, stats, testServer } from './helpers/servers.js';

const procs: Proc[] = [];
afterAll(() => {
  for (const p of procs) p.child.kill('SIGKILL');
});

test('data and item ids survive a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'v2-restart-'));
  let server = await testServer({ dataDir });
  let store = fastClient(server.url);
  const { itemId } = await store.generateId('ns', { name: 'a', team: 't' });
  await store.putContents(itemId, 'dev', '{"a": 1}\n', { metadata: { commit: 'c1' } });
  await store.putContents(itemId, 'dev', '{"a": 1}\n', { metadata: { commit: 'c2' } });
  await store.deleteItem(itemId, 'qa').catch(() => undefined);
  await server.close();
  // A write killed mid-append leaves a torn last line in the version log: opening drops it.
  appendFileSync(join(dataDir, 'items', `${itemId}.log`), '{"env":"dev","v":{"vers');

  server = await testServer({ dataDir });
  store = fastClient(server.url);
  expect(await store.generateId('ns', { team: 't', name: 'a' })).toEqual({ itemId, created: false });
  expect(await store.getItem(itemId)).toMatchObject({
    environments: { dev: { version: 1, metadata: { commit: 'c1' }, confirmedBy: 'c2' } },
  });
  expect((await store.getContents(itemId, 'dev'))?.content).toBe('{"a": 1}\n');
  expect(await store.putContents(itemId, 'dev', '{"a": 1}\n')).toMatchObject({ unchanged: true, version: 1 });
  expect(await store.putContents(itemId, 'dev', '{"a": 2}\n')).toMatchObject({ version: 2 });
  await server.close();
  server = await testServer({ dataDir });
  store = fastClient(server.url);
  expect((await store.getContents(itemId, 'dev'))?.content).toBe('{"a": 2}\n');
  await server.close();
});

test('a failure injected after the work: the write happened, and the retry answers unchanged', async () => {
  const rolls: number[] = [];
  const server = await testServer({ failRate: 0.5, random: () => rolls.shift() ?? 0.99 });
  const raw = (method: string, path: string, body?: unknown) =>
    fetch(server.url + path, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const { itemId } = (await (
    await raw('POST', '/v2/namespaces/f/items:generateId', { tags: { name: 'x' } })
  ).json()) as {
    itemId: string;
  };
  rolls.push(0.1, 0.9); // fail (0.1 < 0.5), after the work (0.9 ≥ 0.5)
  const put = await raw('PUT', `/v2/items/${itemId}/environments/dev/contents`, {
    content: 'x\n',
    md5: md5Hex('x\n'),
  });
  expect(put.status).toBe(503);
  expect(put.headers.get('retry-after')).toBe('0');
  expect(await put.json()).toMatchObject({ error: { code: 'unavailable' } });
  expect((await stats(server.url)).versions[itemId]).toEqual({ dev: 1 });
  rolls.push(0.1, 0.1); // fail before the work
  const before = await raw('PUT', `/v2/items/${itemId}/environments/dev/contents`, {
    content: 'y\n',
    md5: md5Hex('y\n'),
  });
  expect(before.status).toBe(503);
  expect((await stats(server.url)).versions[itemId]).toEqual({ dev: 1 });
  // The client's retry of the first PUT: unchanged, still one version.
  rolls.push(0.1, 0.9);
  const w = await fastClient(server.url).putContents(itemId, 'dev', 'x\n');
  expect(w).toEqual({ version: 1, md5: md5Hex('x\n'), unchanged: true });
  expect((await stats(server.url)).injectedFailures).toEqual({ before: 1, after: 2 });
  await server.close();
});

test('SIGKILL of the server mid-run and a restart on the same port: no acknowledged write is lost', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'v2-kill-'));
  const args = ['--data', dataDir, '--token', TOKEN, '--latency', '5'];
  const first = await serveProcess(['--port', '0', ...args]);
  procs.push(first);
  const port = new URL(first.url).port;
  // Retries that span a restart (a second or so): up to 40 attempts, at most 100 ms apart.
  const store = new HttpItemStore({
    url: first.url,
    token: TOKEN,
    concurrency: 6,
    retry: { retries: 40, baseDelayMs: 20, maxDelayMs: 100 },
  });
  const acked: { itemId: string; content: string; version: number }[] = [];
  let restarted: Promise<unknown> | undefined;
  await Promise.all(
    Array.from({ length: 120 }, async (_, i) => {
      const { itemId } = await store.generateId('kill', { name: `item${i}` });
      const content = `{"i": ${i}}\n`;
      const w = await store.putContents(itemId, 'dev', content, { ifNoneMatch: true });
      acked.push({ itemId, content, version: w.version });
      if (acked.length === 30) {
        first.child.kill('SIGKILL');
        restarted = first.exited.then(async () => {
          const second = await serveProcess(['--port', port, ...args]);
          procs.push(second);
        });
      }
    }),
  );
  await restarted;
  expect(acked).toHaveLength(120);
  const st = await stats(first.url);
  for (const a of acked) {
    expect(a.version).toBe(1);
    expect(st.versions[a.itemId]).toEqual({ dev: 1 });
    expect((await store.getContents(a.itemId, 'dev'))?.content).toBe(a.content);
  }
}, 60_000);

test('what a killed write leaves is dropped at open: a short blob, a torn header line; older item files still read', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'v2-torn-'));
  let server = await testServer({ dataDir });
  let store = fastClient(server.url);
  const [a, b] = await store.generateIds('ns', [{ name: 'a' }, { name: 'b' }]);
  await store.putContents(a!.itemId, 'dev', '{"a": 1}\n');
  await server.close();
  // Killed mid-write: a blob cut short under its final name (no version points at it), an empty one, and the
  // header line of a generateId that was never answered.
  const next = '{"a": 2, "padding": "' + 'x'.repeat(5000) + '"}\n';
  writeFileSync(join(dataDir, 'blobs', md5Hex(next)), next.slice(0, 1000));
  writeFileSync(join(dataDir, 'blobs', md5Hex('{"b": 1}\n')), '');
  appendFileSync(join(dataDir, 'items.log'), '{"itemId":"it_0000","names');
  // An item of an older version of this server: one items/<id>.json with its versions inline.
  const oldId = itemIdFor('ns', { name: 'old' });
  writeFileSync(
    join(dataDir, 'items', `${oldId}.json`),
    JSON.stringify({
      itemId: oldId,
      namespace: 'ns',
      tags: { name: 'old' },
      createdAt: '2026-01-01T00:00:00.000Z',
      environments: {
        dev: [
          {
            version: 1,
            md5: md5Hex('old\n'),
            deleted: false,
            createdAt: '2026-01-01T00:00:00.000Z',
            metadata: {},
          },
        ],
      },
    }),
  );
  writeFileSync(join(dataDir, 'blobs', md5Hex('old\n')), 'old\n');

  server = await testServer({ dataDir });
  store = fastClient(server.url);
  expect(existsSync(join(dataDir, 'blobs', md5Hex(next)))).toBe(false);
  expect(existsSync(join(dataDir, 'blobs', md5Hex('{"b": 1}\n')))).toBe(false);
  expect(readFileSync(join(dataDir, 'items.log'), 'utf8').endsWith('}\n')).toBe(true);
  expect(await store.generateIds('ns', [{ name: 'a' }, { name: 'b' }])).toEqual([
    { itemId: a!.itemId, created: false },
    { itemId: b!.itemId, created: false },
  ]);
  expect((await store.getContents(oldId, 'dev'))?.content).toBe('old\n');
  // The same contents written again are stored in full.
  expect(await store.putContents(a!.itemId, 'dev', next)).toMatchObject({ version: 2 });
  expect(await store.putContents(b!.itemId, 'dev', '{"b": 1}\n')).toMatchObject({ version: 1 });
  expect(await store.generateId('ns', { name: 'c' })).toMatchObject({ created: true });
  await server.close();

  server = await testServer({ dataDir });
  store = fastClient(server.url);
  expect((await store.getContents(a!.itemId, 'dev'))?.content).toBe(next);
  expect((await store.getContents(b!.itemId, 'dev'))?.content).toBe('{"b": 1}\n');
  expect(await store.generateId('ns', { name: 'c' })).toMatchObject({ created: false });
  expect(Object.keys((await stats(server.url)).versions)).toHaveLength(4);
  await server.close();
});

test('SIGKILL mid-run with batches of new items: every acknowledged id and version survives the restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'v2-kill-batch-'));
  const args = ['--data', dataDir, '--token', TOKEN, '--latency', '5'];
  const first = await serveProcess(['--port', '0', ...args]);
  procs.push(first);
  const port = new URL(first.url).port;
  const store = new HttpItemStore({
    url: first.url,
    token: TOKEN,
    concurrency: 6,
    retry: { retries: 40, baseDelayMs: 20, maxDelayMs: 100 },
  });
  const ids: string[] = [];
  const acked: { itemId: string; content: string }[] = [];
  let restarted: Promise<unknown> | undefined;
  await Promise.all(
    Array.from({ length: 12 }, async (_, batch) => {
      const made = await store.generateIds(
        'kill',
        Array.from({ length: 10 }, (_, i) => ({ name: `item${batch * 10 + i}` })),
      );
      ids.push(...made.map((m) => m.itemId));
      await Promise.all(
        made.map(async ({ itemId }, i) => {
          const content = `{"i": ${batch * 10 + i}}\n`;
          await store.putContents(itemId, 'dev', content, { ifNoneMatch: true });
          acked.push({ itemId, content });
          if (acked.length === 30) {
            first.child.kill('SIGKILL');
            restarted = first.exited.then(async () => {
              procs.push(await serveProcess(['--port', port, ...args]));
            });
          }
        }),
      );
    }),
  );
  await restarted;
  expect(acked).toHaveLength(120);
  const st = await stats(first.url);
  expect(Object.keys(st.versions).sort()).toEqual([...new Set(ids)].sort());
  for (const a of acked) {
    expect(st.versions[a.itemId]).toEqual({ dev: 1 });
    expect((await store.getContents(a.itemId, 'dev'))?.content).toBe(a.content);
  }
}, 60_000);

const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;
(hasPrlimit ? test : test.skip)(
  'a low open-file limit (ulimit -n 120): the server closes idle version logs and every write succeeds',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'v2-nofile-'));
    const cli = await testCli();
    const child = spawn(
      'prlimit',
      [
        '--nofile=120:120',
        process.execPath,
        cli,
        'serve',
        '--quiet',
        '--port',
        '0',
        '--data',
        dataDir,
        '--token',
        TOKEN,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n')[0]!;
          if (out.includes('\n') && line.startsWith('http')) resolve(line.trim());
        });
        child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
      });
      const store = fastClient(url, { concurrency: 8 });
      const made = await store.generateIds(
        'nofile',
        Array.from({ length: 300 }, (_, i) => ({ name: `item${i}` })),
      );
      await Promise.all(made.map(({ itemId }, i) => store.putContents(itemId, 'dev', `{"i": ${i}}\n`)));
      await Promise.all(made.map(({ itemId }, i) => store.putContents(itemId, 'dev', `{"i": ${i + 1}}\n`)));
      const st = await stats(url);
      expect(Object.values(st.versions).filter((v) => v.dev === 2)).toHaveLength(300);
      expect((await store.getContents(made[299]!.itemId, 'dev'))?.content).toBe('{"i": 300}\n');
    } finally {
      child.kill('SIGKILL');
    }
  },
  60_000,
);
