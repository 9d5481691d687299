import { open, rename, mkdir, readdir, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/**
 * Writes a file so that after a crash it holds either the old bytes or the new ones, never a mix, and so that an
 * acknowledged write survives power loss: temp file, fsync, rename over the target, fsync the directory.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  dirSync: (dir: string) => Promise<void> = fsyncDir,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fh = await open(temp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
  await dirSync(dir);
}

/**
 * Group commit for directory fsyncs: concurrent writers into one folder share a sync. A caller joins the next
 * sync that starts after its call (never one already running, which may predate its rename), so every rename is
 * durable when its promise resolves, with one fsync per burst instead of one per file.
 */
export class DirSyncer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, Promise<void>>();

  readonly sync = (dir: string): Promise<void> => {
    const queued = this.queued.get(dir);
    if (queued) return queued;
    const running = this.running.get(dir);
    if (!running) return this.start(dir);
    const next = running
      .catch(() => {})
      .then(() => {
        this.queued.delete(dir);
        return this.start(dir);
      });
    this.queued.set(dir, next);
    return next;
  };

  private start(dir: string): Promise<void> {
    const p: Promise<void> = fsyncDir(dir).finally(() => {
      if (this.running.get(dir) === p) this.running.delete(dir);
    });
    this.running.set(dir, p);
    return p;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Creates a directory (and its parents) durably: the new entries are fsynced into their parents. */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await fsyncDir(dir);
  await fsyncDir(dirname(dir));
}

/** Temp files left by a process that was killed mid-write. */
export async function removeStaleTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('.tmp-')) await unlink(join(dir, name)).catch(() => {});
  }
}

/** Serialises work per key (one item's writes run one after another; different items run in parallel). */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
