import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { nodeChildProcess } from './builtins.js';

/** What cat-file answered for a name: the object's id and type, and its bytes. */
export interface CatFileObject {
  id: string;
  type: string;
  body: Buffer;
}

/**
 * One long-lived `git cat-file --batch` process for many reads: requests are object ids, or (lookup) names without
 * a line break, so no name can break the line protocol; answers arrive in order and are matched to a FIFO of
 * waiters. The process does not keep Node alive while idle; `close()` ends it.
 */
export class CatFileBatch {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly waiting: {
    resolve: (o: CatFileObject | undefined) => void;
    reject: (e: Error) => void;
  }[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes still expected for the object being received (content + trailing LF), or -1 for a header. */
  private pendingBody = -1;
  private stderr = '';
  /** The id and type of the object being received. */
  private header: { id: string; type: string } = { id: '', type: '' };

  constructor(
    private readonly cwd: string,
    private readonly gitArgs: readonly string[] = [],
  ) {}

  /** The object's bytes, or undefined when the object does not exist. */
  read(objectId: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(objectId)) {
      return Promise.reject(new Error(`not an object id: ${objectId}`));
    }
    return this.request(objectId).then((o) => o?.body);
  }

  /**
   * The object a name stands for (any revision git resolves: `HEAD^{commit}`, `<commit>:<path>`), with its id and
   * type; undefined when git finds none. Answered in order with the reads (the process starts on the first).
   */
  lookup(name: string): Promise<CatFileObject | undefined> {
    if (!name || /[\n\r]/.test(name))
      return Promise.reject(new Error(`not a name git cat-file can read: ${name}`));
    return this.request(name);
  }

  private request(name: string): Promise<CatFileObject | undefined> {
    const child = this.start();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (this.waiting.length === 1) this.setRef(true);
      child.stdin.write(`${name}\n`);
    });
  }

  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin.end();
      child.kill();
    }
    this.fail(new Error('git cat-file was closed'));
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = nodeChildProcess().spawn('git', [...this.gitArgs, 'cat-file', '--batch'], {
      cwd: this.cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString('utf8')));
    child.on('error', (e) => this.fail(e));
    child.on('close', (code) => {
      if (this.child === child) this.child = undefined;
      this.fail(new Error(`git cat-file --batch exited (${code}): ${this.stderr.trim()}`));
    });
    this.setRef(false);
    return child;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.pendingBody < 0) {
        const nl = this.buffer.indexOf(10);
        if (nl < 0) return;
        const header = this.buffer.subarray(0, nl).toString('utf8');
        this.buffer = this.buffer.subarray(nl + 1);
        if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
          this.settle(undefined);
          continue;
        }
        const [id = '', type = '', sizeText] = header.split(' ');
        const size = Number(sizeText);
        if (!Number.isInteger(size)) {
          this.fail(new Error(`git cat-file: unexpected answer "${header}"`));
          return;
        }
        this.pendingBody = size + 1;
        this.header = { id, type };
      }
      if (this.buffer.length < this.pendingBody) return;
      const body = Buffer.from(this.buffer.subarray(0, this.pendingBody - 1));
      this.buffer = this.buffer.subarray(this.pendingBody);
      this.pendingBody = -1;
      this.settle({ ...this.header, body });
    }
  }

  private settle(value: CatFileObject | undefined): void {
    this.waiting.shift()?.resolve(value);
    if (!this.waiting.length) this.setRef(false);
  }

  private fail(e: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(e);
    this.buffer = Buffer.alloc(0);
    this.pendingBody = -1;
  }

  /** Only a process with reads in flight keeps the event loop alive. */
  private setRef(ref: boolean): void {
    const c = this.child;
    if (!c) return;
    for (const h of [c, c.stdin, c.stdout, c.stderr] as unknown as { ref?(): void; unref?(): void }[]) {
      if (ref) h.ref?.();
      else h.unref?.();
    }
  }
}
