/**
 * The one progress display of the suite, for every long command (deploy, sync-s3, promote, validate, migrate,
 * resolve, plan) in the CLI and in the actions. Libraries take a `Progress` and call start/tick/done; whoever runs
 * them picks the rendering:
 *
 * - on a terminal: one bar redrawn in place on stderr (`deploy dev [#####.....] 512/1000 items 51%`), cleared when
 *   the task ends;
 * - elsewhere (GitHub Actions logs, CI, files, pipes), where carriage returns would pile up: plain lines
 *   (`deploy dev: 420/1000 items (42%)`) at every 10 % step and at least every `intervalMs` while it runs, so a
 *   stalled run still shows it is alive.
 *
 * Never stdout (which stays machine-readable for --json). Silent for small tasks (fewer than `minTotal` units) and
 * for tasks that end within `delayMs`; a long task shows its first line after `delayMs` (well within its first
 * second), even before the first unit is done. Written by hand rather than with a progress-bar library because it
 * is small and the non-TTY log lines, the clearing before other stderr output and the silence rules are ours.
 */
export interface ProgressTask {
  /** `n` more units done (default 1). */
  tick(n?: number): void;
  /** The task is over: the bar is cleared, or (non-TTY, when anything was shown) a last line is written. */
  done(): void;
}

export interface Progress {
  /**
   * A task of `total` units (`unit` names them in the lines: "items", "configs", "objects"). Without a total the
   * task is a phase of unknown length ("deploy: reading the checkout… 3 s").
   */
  start(label: string, total?: number, unit?: string): ProgressTask;
}

const noTask: ProgressTask = { tick() {}, done() {} };

/** Shows nothing. */
export const noProgress: Progress = { start: () => noTask };

export interface ProgressOptions {
  /** Where the bar or lines go (default: process.stderr). Actions pass a function writing to the log. */
  write?: (text: string) => void;
  /** Draw a bar redrawn in place. Default: whether process.stderr is a TTY (and TERM is not "dumb"). */
  isTTY?: boolean;
  /** Counted tasks smaller than this show nothing (default 50). */
  minTotal?: number;
  /** Nothing is shown before a task has run this long; a task that ends sooner shows nothing (default 500 ms). */
  delayMs?: number;
  /** Non-TTY: a line at least this often while the task runs (default 10 s), besides every 10 % step. */
  intervalMs?: number;
  /** Terminal width for the bar (default: process.stderr.columns or 80). */
  columns?: number;
  /** Show nothing at all (default: when ITEMSTORE_PROGRESS is 0, false, off or no). */
  disabled?: boolean;
  /** The clock (tests). */
  now?: () => number;
}

/** How often the timer looks at a running task (first line, periodic lines, the elapsed time of a phase). */
const POLL_MS = 100;
/** A bar is redrawn at most this often. */
const REDRAW_MS = 100;

/** The bar currently drawn on the terminal, if any (so other stderr output can clear it first). */
let drawn: { clear(): void } | undefined;

/**
 * Clears the progress bar from the terminal line before something else is written to stderr (a warning, a retry
 * line); the bar is drawn again at its next update. A no-op when no bar is drawn.
 */
export function clearProgressLine(): void {
  drawn?.clear();
}

export function progressDisabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(0|false|off|no)$/i.test(env.ITEMSTORE_PROGRESS ?? '');
}

/** A Progress for the current process (see the top of this file). */
export function createProgress(options: ProgressOptions = {}): Progress {
  if (options.disabled ?? progressDisabledByEnv()) return noProgress;
  const write = options.write ?? ((t: string) => void process.stderr.write(t));
  const isTTY = options.isTTY ?? (Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb');
  const minTotal = options.minTotal ?? 50;
  const delayMs = options.delayMs ?? 500;
  const intervalMs = options.intervalMs ?? 10_000;
  const columns = (): number => options.columns ?? (process.stderr.columns || 80);
  const now = options.now ?? Date.now;
  return {
    start(label: string, total?: number, unit = ''): ProgressTask {
      const counted = total !== undefined;
      if (counted && total < minTotal) return noTask;
      const started = now();
      const units = unit ? ` ${unit}` : '';
      let done = 0;
      let finished = false;
      let shown = false;
      let lastDraw = 0;
      let lastLine = 0;
      let lastStep = -1;
      let onLine = false;
      const pct = (): number => (counted && total > 0 ? Math.floor((done / total) * 100) : 0);
      const seconds = (): string => `${Math.round((now() - started) / 1000)} s`;

      const clear = (): void => {
        if (onLine) write('\r\x1b[K');
        onLine = false;
        if (drawn === bar) drawn = undefined;
      };
      const bar = { clear };

      const drawBar = (force: boolean): void => {
        const t = now();
        if (!force && t - lastDraw < REDRAW_MS) return;
        lastDraw = t;
        let text: string;
        if (counted) {
          const counts = ` ${done}/${total}${units} ${pct()}%`;
          const width = Math.max(10, Math.min(40, columns() - label.length - counts.length - 4));
          const filled = total > 0 ? Math.round((done / total) * width) : width;
          text = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${counts}`;
        } else {
          text = `${label}… ${seconds()}`;
        }
        if (drawn && drawn !== bar) drawn.clear();
        drawn = bar;
        onLine = true;
        write(`\r${text.slice(0, Math.max(20, columns() - 1))}\x1b[K`);
      };

      const line = (): string =>
        counted ? `${label}: ${done}/${total}${units} (${pct()}%)` : `${label}… (${seconds()})`;

      const writeLine = (force: boolean): void => {
        const t = now();
        const step = Math.floor(pct() / 10);
        if (!force && shown && step <= lastStep && t - lastLine < intervalMs) return;
        lastStep = step;
        lastLine = t;
        write(`${line()}\n`);
      };

      const update = (force = false): void => {
        if (finished) return;
        if (!shown) {
          if (now() - started < delayMs) return;
          shown = true;
          force = true;
        }
        if (isTTY) drawBar(force);
        else writeLine(force);
      };

      const timer = setInterval(() => update(), POLL_MS);
      timer.unref?.();

      return {
        tick(n = 1) {
          if (finished) return;
          done = counted ? Math.min(total, done + n) : done + n;
          update();
        },
        done() {
          if (finished) return;
          clearInterval(timer);
          if (shown) {
            if (isTTY) clear();
            // The last line: the count reached (a failed run may stop short of 100 %).
            else if (!counted || lastStep < 10 || done < total) {
              write(counted ? `${line()}\n` : `${label}: done (${seconds()})\n`);
            }
          }
          finished = true;
        },
      };
    },
  };
}

/**
 * Progress for code that reports `(done, total)` callbacks (sync-s3's writes): the task starts at the first call,
 * when the total is known. `done()` ends it.
 */
export function progressCallback(
  progress: Progress,
  label: string,
  unit?: string,
): { onProgress: (done: number, total: number) => void; done: () => void } {
  let task: ProgressTask | undefined;
  let last = 0;
  return {
    onProgress(doneCount: number, total: number) {
      task ??= progress.start(label, total, unit);
      task.tick(doneCount - last);
      last = doneCount;
    },
    done() {
      task?.done();
    },
  };
}
