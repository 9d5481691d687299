/**
 * Every child the demo starts runs in its own process group (detached), so stopping it stops what it started too
 * (git under an action, s3rver's workers). `stopAll()` ends every group still running; the demo calls it on exit,
 * on Ctrl-C and on SIGTERM, and the tests check with `ps` that nothing is left.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export class ProcessGroups {
  private readonly live = new Set<ChildProcess>();

  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    const child = spawn(command, args, { ...options, detached: true });
    this.live.add(child);
    child.once('exit', () => this.live.delete(child));
    child.once('error', () => this.live.delete(child));
    return child;
  }

  /** Pids of the groups still running. */
  pids(): number[] {
    return [...this.live].map((c) => c.pid).filter((p): p is number => typeof p === 'number');
  }

  /** Signals one child's whole group. */
  kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }

  /** SIGTERM every group, then SIGKILL what is left after `graceMs`. */
  async stopAll(graceMs = 2_000): Promise<void> {
    const children = [...this.live];
    if (!children.length) return;
    const exited = children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) done();
          else c.once('exit', () => done());
        }),
    );
    for (const c of children) this.kill(c, 'SIGTERM');
    const timer = setTimeout(() => {
      for (const c of children) this.kill(c, 'SIGKILL');
    }, graceMs);
    await Promise.all(exited);
    clearTimeout(timer);
    // A group may outlive its leader (a grandchild); make sure none does.
    for (const c of children) {
      try {
        if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
      } catch {
        // the whole group is gone
      }
    }
  }

  /** Synchronous last resort (process 'exit' handlers cannot wait). */
  killAllNow(): void {
    for (const c of this.live) {
      try {
        if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
