/**
 * Progress for long runs, in one small reusable module: a bar redrawn in place when the output is a terminal, and
 * plain periodic lines otherwise (GitHub Actions logs, files, pipes), where carriage returns would pile up as
 * thousands of lines. Libraries take a `Progress` and call start/tick/done; the CLI and the actions pick the
 * rendering.
 */
export interface ProgressTask {
  /** `n` more units done (default 1). */
  tick(n?: number): void;
  /** The task is over: the bar is finished with a newline, or a last line is written. */
  done(): void;
}

export interface Progress {
  start(label: string, total: number): ProgressTask;
}

const noTask: ProgressTask = { tick() {}, done() {} };

/** Shows nothing. */
export const noProgress: Progress = { start: () => noTask };

export interface ProgressOptions {
  /** Where the bar or lines go (default: process.stderr). */
  write?: (text: string) => void;
  /** Draw a bar (only on a terminal). Default: whether process.stderr is a TTY. */
  isTTY?: boolean;
  /** Tasks smaller than this show nothing (default 50). */
  minTotal?: number;
  /** Non-TTY: a line at least this often while the task moves (default 15 s), besides every 10 %. */
  intervalMs?: number;
  /** Terminal width for the bar (default: process.stderr.columns or 80). */
  columns?: number;
  now?: () => number;
}

/**
 * A Progress for the current process. On a TTY: `label [#####.....] 512/1000 51%` redrawn at most every 100 ms.
 * Elsewhere: `label: 100/1000 (10%)` at every 10 % step, or after `intervalMs`, and once at the end.
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const write = options.write ?? ((t: string) => void process.stderr.write(t));
  const isTTY = options.isTTY ?? Boolean(process.stderr.isTTY);
  const minTotal = options.minTotal ?? 50;
  const intervalMs = options.intervalMs ?? 15_000;
  const now = options.now ?? Date.now;
  const columns = options.columns ?? (process.stderr.columns || 80);
  return {
    start(label: string, total: number): ProgressTask {
      if (total < minTotal) return noTask;
      let done = 0;
      let finished = false;
      let lastDraw = 0;
      let lastStep = 0;
      let lastLine = now();
      const pct = (): number => Math.floor((done / total) * 100);
      const draw = (force: boolean): void => {
        if (isTTY) {
          const t = now();
          if (!force && t - lastDraw < 100) return;
          lastDraw = t;
          const counts = ` ${done}/${total} ${pct()}%`;
          const width = Math.max(10, Math.min(40, columns - label.length - counts.length - 4));
          const filled = Math.round((done / total) * width);
          write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${counts}`);
        } else {
          const step = Math.floor(pct() / 10);
          const t = now();
          if (force || step > lastStep || t - lastLine >= intervalMs) {
            lastStep = step;
            lastLine = t;
            write(`${label}: ${done}/${total} (${pct()}%)\n`);
          }
        }
      };
      return {
        tick(n = 1) {
          if (finished) return;
          done = Math.min(total, done + n);
          draw(false);
        },
        done() {
          if (finished) return;
          finished = true;
          if (isTTY) {
            draw(true);
            write('\n');
          } else if (lastStep < 10) {
            draw(true);
          }
        },
      };
    },
  };
}
