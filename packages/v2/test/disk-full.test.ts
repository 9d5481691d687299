/**
 * The reference server on a full disk: an append that fails part-way (ENOSPC after a short write) must not leave
 * half a line in the item's version log for the next append to follow, or the log no longer opens after a restart.
 * The fault is real: the data folder is a 1 MiB tmpfs filled to the last byte (needs root and mount; skipped where
 * this machine cannot mount one).
 */
import { afterAll, afterEach, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastClient, testServer } from './helpers/servers.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'v2-full-disk-'));
const mounted =
  process.platform === 'linux' &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]).status === 0;
/** The server a test runs now: stopped after the test even when it fails midway, so Jest can exit. */
let running: { close(): Promise<void> } | undefined;
async function start(dataDir: string): Promise<Awaited<ReturnType<typeof testServer>>> {
  const server = await testServer({ dataDir });
  running = server;
  return server;
}
async function stop(server: { close(): Promise<void> }): Promise<void> {
  running = undefined;
  await server.close();
}
afterEach(async () => {
  await running?.close().catch(() => undefined);
  running = undefined;
});
afterAll(() => {
  if (mounted) spawnSync('umount', ['-l', mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Fills the file system of `dir` to the last byte; returns the filler's path (delete it to free the space). */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    try {
      for (;;) writeSync(fd, chunk, 0, 1);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Calls `append` (one more line in the log at `log`) until the log's last 4 KiB page has less room than one more
 * line (with some slack), so the next append writes part of its line before the full disk stops it. Returns the
 * log's size then.
 */
async function appendUntilPageEdge(log: string, append: () => Promise<void>): Promise<number> {
  let size = 0;
  for (;;) {
    await append();
    const next = statSync(log).size;
    const line = next - size;
    size = next;
    const room = 4096 - (size % 4096);
    if (room < line - 8 && room > 8) return size;
  }
}

(mounted ? test : test.skip)(
  'a version-log append cut short by a full disk: the next write and a restart find a whole log',
  async () => {
    const dataDir = join(mountPoint, 'data');
    let server = await start(dataDir);
    let store = fastClient(server.url, { retries: 0 });
    const { itemId } = await store.generateId('ns', { team: 't', name: 'a' });
    const log = join(dataDir, 'items', `${itemId}.log`);
    // Versions alternate between two contents (both blobs stored once), until the log's last 4 KiB page has less
    // room than one more line: the next append then writes part of its line and fails with ENOSPC.
    let version = 0;
    const size = await appendUntilPageEdge(log, async () => {
      const w = await store.putContents(itemId, 'dev', version % 2 ? 'b\n' : 'a\n', {
        metadata: { commit: `c${version}` },
      });
      version = w.version;
    });
    const filler = fill(mountPoint);
    await expect(
      store.putContents(itemId, 'dev', version % 2 ? 'b\n' : 'a\n', { metadata: { commit: 'refused' } }),
    ).rejects.toThrow();
    expect(statSync(log).size).toBeGreaterThanOrEqual(size); // what a short write may have left is there now
    rmSync(filler);
    // Space again: the next write is acknowledged, and it must follow a whole line.
    const after = await store.putContents(itemId, 'dev', version % 2 ? 'b\n' : 'a\n', {
      metadata: { commit: 'after' },
    });
    expect(after.version).toBe(version + 1);
    await stop(server);

    server = await start(dataDir);
    store = fastClient(server.url, { retries: 0 });
    expect(await store.getItem(itemId)).toMatchObject({
      environments: { dev: { version: version + 1, metadata: { commit: 'after' } } },
    });
    expect((await store.getContents(itemId, 'dev'))?.content).toBe(version % 2 ? 'b\n' : 'a\n');
    await stop(server);
  },
);

(mounted ? test : test.skip)(
  'an items.log append cut short by a full disk: the next new item and a restart find a whole log',
  async () => {
    const dataDir = join(mountPoint, 'data-items');
    let server = await start(dataDir);
    let store = fastClient(server.url, { retries: 0 });
    const log = join(dataDir, 'items.log');
    // New items (one header line each in items.log), until the log's last 4 KiB page has less room than one more
    // line: the next new item's header is then written in part and fails with ENOSPC.
    const ids = new Map<string, string>();
    await appendUntilPageEdge(log, async () => {
      const name = `n${String(ids.size).padStart(5, '0')}`;
      ids.set(name, (await store.generateId('ns', { team: 't', name })).itemId);
    });
    const filler = fill(mountPoint);
    await expect(store.generateId('ns', { team: 't', name: 'refused' })).rejects.toThrow();
    rmSync(filler);
    // Space again: the next new item is acknowledged (before, every new item was refused until a restart).
    const late = await store.generateId('ns', { team: 't', name: 'late' });
    expect(late.created).toBe(true);
    await store.putContents(late.itemId, 'dev', 'late\n');
    await stop(server);

    // A restart reads a whole items.log: every acknowledged item is there with its id.
    server = await start(dataDir);
    store = fastClient(server.url, { retries: 0 });
    for (const [name, itemId] of ids) {
      expect(await store.generateId('ns', { team: 't', name })).toEqual({ itemId, created: false });
    }
    expect(await store.generateId('ns', { team: 't', name: 'late' })).toEqual({
      itemId: late.itemId,
      created: false,
    });
    expect((await store.getContents(late.itemId, 'dev'))?.content).toBe('late\n');
    await stop(server);
  },
);
