import { closeSync, constants, fsync, openSync, write } from 'node:fs';
import { open, mkdir, readFile, readdir, truncate, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * `O_DSYNC` where the platform has it: every write(2) on such a descriptor returns only once its bytes (and the file
 * size that reaches them) are on disk, so a write is one system call instead of write + fsync. Elsewhere (Windows)
 * it is 0 and the helpers below fsync explicitly.
 */
const O_DSYNC = constants.O_DSYNC ?? 0;

/**
 * Opening and closing a file are metadata calls that never wait for the disk, so they are made synchronously (a
 * round trip through libuv's thread pool costs more than the call); the writes and fsyncs, which wait for the disk,
 * go through the pool as before, so the event loop never waits for the disk.
 */
function openNow(path: string, flags: number): number {
  return openSync(path, flags, 0o644);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed, or the close itself failed: nothing is left to undo
  }
}

/**
 * Writes a whole file durably in place: open (O_CREAT, O_TRUNC), one synchronous write (O_DSYNC, or
 * write + fsync), close, then the folder's fsync (`dirSync`, shared by concurrent writers) so the name survives a
 * power loss too. There is no temp file and no rename: a write killed midway can leave a short or empty file under
 * the final name, so callers use this only for files they never trust before a later, acknowledged record points at
 * them (a blob before its version-log line), and drop the others when the database opens (ItemDatabase.open).
 */
export async function writeFileDurable(
  path: string,
  data: string | Uint8Array,
  options: { dirSync?: (dir: string) => Promise<void> } = {},
): Promise<void> {
  const fd = openNow(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_DSYNC);
  try {
    await writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (!O_DSYNC) await fsyncFd(fd);
  } catch (err) {
    closeQuietly(fd);
    await unlink(path).catch(() => {});
    throw err;
  }
  closeSync(fd);
  await (options.dirSync ?? fsyncDir)(dirname(path));
}

/** Appends one record to a log opened by openAppendLog: on disk (O_DSYNC, or fsync) when this resolves. */
export async function appendDurable(fd: number, data: string): Promise<void> {
  await writeAll(fd, Buffer.from(data));
  if (!O_DSYNC) await fsyncFd(fd);
}

/** Opens (creating) an append-only log whose appends through appendDurable are each durable; close with closeLog. */
export function openAppendLog(path: string): number {
  return openNow(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | O_DSYNC);
}

/** Closes a log opened by openAppendLog. */
export function closeLog(fd: number): void {
  closeQuietly(fd);
}

/** write(2) until every byte is written (a regular file takes them all at once; a short write is continued). */
async function writeAll(fd: number, buf: Uint8Array): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const bytesWritten = await new Promise<number>((resolve, reject) =>
      write(fd, buf, done, buf.length - done, null, (err, n) => (err ? reject(err) : resolve(n))),
    );
    if (bytesWritten <= 0) throw new Error(`write returned ${bytesWritten}`);
    done += bytesWritten;
  }
}

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/**
 * Group commit for directory fsyncs: concurrent writers into one folder share a sync. A caller joins the next
 * sync that starts after its call (never one already running, which may predate its new file), so every new name is
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
    const p: Promise<void> = this.fsync(dir).finally(() => {
      if (this.running.get(dir) === p) this.running.delete(dir);
    });
    this.running.set(dir, p);
    return p;
  }

  /** Each folder stays open between its syncs: a sync is one fsync(2), not open + fsync + close. */
  private readonly handles = new Map<string, number>();

  private async fsync(dir: string): Promise<void> {
    let fd = this.handles.get(dir);
    if (fd === undefined) {
      fd = openSync(dir, 'r');
      this.handles.set(dir, fd);
    }
    try {
      await fsyncFd(fd);
    } catch (err) {
      // Not trusted again: the next sync opens the folder afresh.
      if (this.handles.get(dir) === fd) this.handles.delete(dir);
      closeQuietly(fd);
      throw err;
    }
  }

  /** Closes the open folders (after the syncs under way). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running.values(), ...this.queued.values()]);
    for (const fd of this.handles.values()) closeQuietly(fd);
    this.handles.clear();
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

/** Temp files left by a killed process of an older version of this server (which wrote temp file → rename). */
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

/**
 * An append-only log shared by many writers, with group commit: records that arrive while a write is on its way
 * go together in the next one, so a burst of N records costs one or two synchronous writes, not N. Writes never
 * overlap, so a crash can only tear the last line (never leave a hole before a line that was acknowledged); each
 * `append` resolves once its line is on disk.
 */
export class GroupLog {
  private pending: { line: string; done: () => void; failed: (err: unknown) => void }[] = [];
  private writing = false;
  /**
   * A write failed, and may have left part of a line (a full disk: ENOSPC after a short write): the next write first
   * cuts the log back to its last whole line, as an item's version log does (cutTornTail), so no line follows a torn
   * one. The descriptor appends (O_APPEND), so it writes at the new end.
   */
  private torn = false;

  private constructor(
    private readonly fd: number,
    private readonly path: string,
  ) {}

  /** Opens (creating) the log at `path`; a new file's name is made durable in its folder. */
  static async open(path: string): Promise<GroupLog> {
    const fd = openAppendLog(path);
    await fsyncDir(dirname(path));
    return new GroupLog(fd, path);
  }

  /** Appends `line` (one JSON record, no newline); resolves when it is on disk. */
  append(line: string): Promise<void> {
    return new Promise((done, failed) => {
      this.pending.push({ line, done, failed });
      // The next turn of the event loop: the records of one request (a batch) all go into the first write.
      if (!this.writing && this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    if (this.writing || !this.pending.length) return;
    this.writing = true;
    const batch = this.pending;
    this.pending = [];
    try {
      if (this.torn) {
        await cutTornTail(this.path);
        this.torn = false;
      }
      await appendDurable(this.fd, batch.map((r) => `${r.line}\n`).join(''));
      for (const r of batch) r.done();
    } catch (err) {
      this.torn = true;
      for (const r of batch) r.failed(err);
    } finally {
      this.writing = false;
      if (this.pending.length) void this.flush();
    }
  }

  /** Closes the file once the records already appended are written. */
  async close(): Promise<void> {
    while (this.writing || this.pending.length) await new Promise((r) => setImmediate(r));
    closeSync(this.fd);
  }
}

/**
 * The complete lines of a log (undefined when there is no such file). A torn last line, from a write killed midway
 * (never acknowledged: an append is answered only once its whole line is on disk), is cut off the file.
 */
export async function readLogLines(path: string): Promise<string[] | undefined> {
  const text = await cutTornTail(path);
  if (text === undefined) return undefined;
  return text.split('\n').filter((line) => line !== '');
}

/**
 * Cuts a log back to its last whole line and returns the whole lines' text (undefined when there is no such file).
 * Used at open and, while running, before the next append after a failed one (a write that failed part-way, e.g.
 * on a full disk, leaves part of its line: the next line must not follow it).
 */
export async function cutTornTail(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const complete = text.lastIndexOf('\n') + 1;
  if (complete === text.length) return text;
  await truncate(path, Buffer.byteLength(text.slice(0, complete)));
  return text.slice(0, complete);
}
