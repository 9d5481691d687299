/**
 * The working tree of a config repo as a RepoTree. Lists regular files and symlinks without following any link
 * (a symlinked folder is listed as one symlink, not walked), skips `.git`, and never reads through a symlink.
 * The listing comes from the directory entries alone (no stat per file): sizes are asked for with `sizes()`, for
 * the files that need one (a 10,000-file listing with a stat each cost a third of a second).
 */
import type { RepoTree, TreeFile } from '@itemstore/core';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

export interface FsTreeOptions {
  /**
   * The tree as of its first look, for callers that list it more than once and read every file they size (sync-s3 of
   * a whole checkout): list() walks once (later calls answer the same listing), and sizes() reads each file (open,
   * fstat, read, close) instead of a stat, keeping its bytes for the next read() of that path, which then costs no
   * system call (two lstats fewer per config). The bytes are the ones read() would have answered at sizes() time.
   */
  keepBytes?: boolean;
}

export class FsTree implements RepoTree {
  readonly root: string;
  readonly label: string;
  private realRoot: string | undefined;
  /** Folder → whether its real path is the path it names (no symlink on the way), asked once per folder. */
  private readonly plainDirs = new Map<string, boolean>();
  private reads = 0;
  /** Filled by sizes(): files with more than one hard link. */
  readonly hardLinks = new Map<string, number>();
  /** keepBytes: bytes read by sizes(), handed out (once) by read(). */
  private readonly kept: Map<string, Buffer> | undefined;
  private listed: Promise<TreeFile[]> | undefined;
  private slab: Buffer | undefined;
  private slabUsed = 0;

  constructor(rootDir: string, options: FsTreeOptions = {}) {
    this.root = resolve(rootDir);
    this.label = `working tree ${this.root}`;
    this.kept = options.keepBytes ? new Map() : undefined;
  }

  list(): Promise<TreeFile[]> {
    if (!this.kept) return this.walk(undefined);
    // keepBytes: one walk serves every caller (a full sync lists the tree for its S3 keys, then resolves it).
    this.listed ??= this.walk(undefined);
    return this.listed.then((files) => files.slice());
  }

  /** The root's own entries and the folders `tops` below it, walked like list() walks them (nothing else is read). */
  listTops(tops: readonly string[]): Promise<TreeFile[]> {
    return this.walk(new Set(tops));
  }

  private async walk(tops: ReadonlySet<string> | undefined): Promise<TreeFile[]> {
    const out: TreeFile[] = [];
    // Synchronous, folder by folder: a 10,000-file walk with a promise per entry and a thread-pool round trip per
    // folder cost half as much again as these calls (the folders are in the page cache). A file's kind comes from its
    // directory entry (d_type), so nothing is followed: a symlinked folder is one symlink entry, never walked.
    const walk = (dir: string, rel: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const name = e.name;
        if (rel === '' && name === '.git') continue;
        const path = rel ? `${rel}/${name}` : name;
        // A plain concatenation: path.join's normalizing cost more than the readdir calls at 10,000 files.
        if (e.isFile()) out.push({ path, kind: 'file' });
        else if (e.isDirectory()) {
          if (rel !== '' || !tops || tops.has(name)) walk(`${dir}/${name}`, path);
        } else if (e.isSymbolicLink())
          out.push({ path, kind: 'symlink', linkTarget: readlinkSync(`${dir}/${name}`) });
        // FIFOs, sockets and devices are not files a config repo can hold (reading a FIFO would block).
      }
    };
    walk(this.root, '');
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async sizes(paths: string[]): Promise<Map<string, number>> {
    // Synchronous lstat, as in read(): a thread-pool round trip per file cost more than the call.
    const out = new Map<string, number>();
    for (let i = 0; i < paths.length; i++) {
      if (i % 256 === 255) await new Promise((r) => setImmediate(r));
      const path = paths[i]!;
      const abs = this.abs(path);
      const read = this.kept && this.readPlainFile(abs, path);
      if (read) {
        this.kept!.set(path, read.bytes);
        out.set(path, read.bytes.length);
        if (read.nlink > 1) this.hardLinks.set(path, read.nlink);
        continue;
      }
      // Not kept (missing, not a regular file, behind a symlinked folder, unreadable): a stat as without keepBytes.
      let st;
      try {
        st = lstatSync(abs);
      } catch (err) {
        if (!isMissing(err)) throw err;
        continue;
      }
      if (st.isFile()) out.set(path, st.size);
      if (st.isFile() && st.nlink > 1) this.hardLinks.set(path, st.nlink);
    }
    return out;
  }

  /**
   * The absolute path of a normalized repo path (no empty, `.` or `..` segment, not absolute): a plain
   * concatenation, since such a path needs no normalizing (path.join per file showed in 10,000-file profiles).
   */
  private abs(path: string): string {
    if (NOT_NORMALIZED.test(path)) {
      throw new Error(`FsTree: "${path}" is not a normalized path relative to the repo root`);
    }
    return this.root === '/' ? `/${path}` : `${this.root}/${path}`;
  }

  /**
   * The file's bytes, or undefined when it is absent, not a regular file, or reached through a symlinked folder.
   * Synchronous system calls on purpose: a config is small and already in the page cache, and a round trip through
   * libuv's four-thread pool per lstat, realpath, open, fstat, read and close cost more than the calls themselves
   * (10,000 configs: most of a no-op sync's time went there). Each folder's real path is checked once per tree.
   * A file is opened without following a symlink and then asked (fstat) and read through its descriptor: open,
   * fstat, read, close, an lstat fewer than asking the path first (resolve-tags' content check reads every changed
   * config). Whatever that open refuses (absent, a symlink, a socket...) is decided by the path, as before.
   */
  async read(path: string): Promise<Buffer | undefined> {
    // Now and then let the event loop run (answers of requests in flight meanwhile, e.g. an S3 listing).
    if (++this.reads % 64 === 0) await new Promise((r) => setImmediate(r));
    const abs = this.abs(path);
    const kept = this.kept?.get(path);
    if (kept) {
      this.kept!.delete(path);
      return kept;
    }
    let fd: number;
    try {
      fd = openSync(abs, OPEN_NOFOLLOW);
    } catch {
      return this.readByPath(abs, path);
    }
    try {
      const st = fstatSync(fd);
      // A folder, a FIFO or a device; or a file reached through a symlinked folder.
      if (!st.isFile() || !this.plainDir(abs, path)) return undefined;
      return readOpen(fd, st.size);
    } finally {
      closeSync(fd);
    }
  }

  /** read() by the path: an lstat, the folder check, then readFileSync (undefined or thrown as the path says). */
  private readByPath(abs: string, path: string): Buffer | undefined {
    let st;
    try {
      st = lstatSync(abs);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    if (!st.isFile()) return undefined; // symlinks are never followed
    // No folder on the way may be a symlink either (one could lead out of the repo): the real folder must be the
    // folder the path names.
    if (!this.plainDir(abs, path)) return undefined;
    return readFileSync(abs);
  }

  /** Whether the folder of `abs` (the file at repo path `path`) is the folder it names, asked once per folder. */
  private plainDir(abs: string, path: string): boolean {
    const dir = abs.slice(0, abs.lastIndexOf('/'));
    let plain = this.plainDirs.get(dir);
    if (plain === undefined) {
      this.realRoot ??= realpathSync.native(this.root);
      const below = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      plain = realpathSync.native(dir || '/') === join(this.realRoot, below);
      this.plainDirs.set(dir, plain);
    }
    return plain;
  }

  /**
   * keepBytes: a regular, non-empty file reached without a symlink (the final name opened with O_NOFOLLOW, the
   * folder checked as in read()), with its bytes and link count; undefined for anything else, which the caller then
   * handles as before (a stat, and a later read()).
   */
  private readPlainFile(abs: string, path: string): { bytes: Buffer; nlink: number } | undefined {
    let fd: number;
    try {
      if (!this.plainDir(abs, path)) return undefined;
      fd = openSync(abs, OPEN_NOFOLLOW);
    } catch {
      return undefined;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.size === 0) return undefined;
      const bytes = this.allocate(st.size);
      let n = 0;
      for (let got = 1; n < bytes.length && got > 0; n += got)
        got = readSync(fd, bytes, n, bytes.length - n, null);
      return { bytes: n < bytes.length ? bytes.subarray(0, n) : bytes, nlink: st.nlink };
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /** keepBytes: room for a file's bytes, cut from a shared slab (one allocation per 256 KiB, not one per file). */
  private allocate(size: number): Buffer {
    if (size > SLAB_BYTES / 8) return Buffer.allocUnsafeSlow(size);
    if (!this.slab || this.slabUsed + size > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.slabUsed = 0;
    }
    this.slabUsed += size;
    return this.slab.subarray(this.slabUsed - size, this.slabUsed);
  }
}

const SLAB_BYTES = 256 * 1024;
/** Read only; a final symlink is refused (ELOOP), and a FIFO opens without waiting for a writer. */
const OPEN_NOFOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The bytes of an open regular file of `size` bytes (fstat), as readFileSync reads them: up to `size` bytes (fewer
 * if it shrank meanwhile); a size of 0 (a file that does not know its size) or one too large for one buffer is read
 * by readFileSync itself, which reads to the end or throws.
 */
function readOpen(fd: number, size: number): Buffer {
  if (size === 0 || size > READ_ALONE_MAX) return readFileSync(fd);
  const bytes = Buffer.allocUnsafe(size);
  let n = 0;
  for (let got = 1; n < size && got > 0; n += got) got = readSync(fd, bytes, n, size - n, null);
  return n < size ? bytes.subarray(0, n) : bytes;
}
/** Larger files go through readFileSync (its own limit and error for a file too large for a Buffer). */
const READ_ALONE_MAX = 64 * 1024 * 1024;
/** An empty, `.` or `..` segment, or a leading `/`. */
const NOT_NORMALIZED = /(?:^|\/)\.{0,2}(?:\/|$)/;

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
