/**
 * The one progress display (core/progress.ts), rendered into a string with a fake clock: a bar on a terminal,
 * plain periodic lines elsewhere, silence for small or quick tasks. The built CLI is tested in
 * test/bundles/progress.test.ts.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  clearProgressLine,
  createProgress,
  progressCallback,
  progressDisabledByEnv,
  type ProgressTask,
} from '@itemstore/core';

const tasks: ProgressTask[] = [];
afterEach(() => tasks.splice(0).forEach((t) => t.done()));

function capture(isTTY: boolean, extra: { minTotal?: number; delayMs?: number } = {}) {
  const out: string[] = [];
  const clock = { t: 1_000 };
  const progress = createProgress({
    write: (s) => out.push(s),
    isTTY,
    columns: 70,
    now: () => clock.t,
    intervalMs: 1000,
    disabled: false,
    ...extra,
  });
  const start = (label: string, total?: number, unit?: string): ProgressTask => {
    const t = progress.start(label, total, unit);
    tasks.push(t);
    return t;
  };
  return { out, start, clock };
}

describe('not a terminal (CI logs, pipes)', () => {
  test('a line at every 10 % and a last one, no carriage returns', () => {
    const { out, start, clock } = capture(false);
    const task = start('deploy dev', 200, 'items');
    clock.t += 600; // past the delay
    for (let i = 0; i < 200; i++) task.tick();
    task.done();
    expect(out[0]).toBe('deploy dev: 1/200 items (0%)\n');
    expect(out).toContain('deploy dev: 80/200 items (40%)\n');
    expect(out.at(-1)).toBe('deploy dev: 200/200 items (100%)\n');
    expect(out).toHaveLength(11);
    expect(out.join('')).not.toContain('\r');
  });

  test('a slow task prints a line at least every interval, even between 10 % steps', () => {
    const { out, start, clock } = capture(false);
    const task = start('sync s3 dev', 1000, 'objects');
    clock.t += 600;
    task.tick();
    clock.t += 500;
    task.tick();
    clock.t += 600;
    task.tick();
    expect(out).toEqual(['sync s3 dev: 1/1000 objects (0%)\n', 'sync s3 dev: 3/1000 objects (0%)\n']);
  });

  test('quick tasks (ended within the delay) and small ones show nothing', () => {
    const { out, start, clock } = capture(false);
    const quick = start('deploy dev', 1000, 'items');
    quick.tick(1000);
    clock.t += 100;
    quick.done();
    const small = start('deploy dev', 10, 'items');
    clock.t += 5000;
    small.tick(10);
    small.done();
    expect(out).toEqual([]);
  });

  test('a phase of unknown length says it is still running, then that it is done', () => {
    const { out, start, clock } = capture(false);
    const phase = start('deploy: resolving every config of the checkout');
    clock.t += 600;
    phase.tick(0);
    clock.t += 1500;
    phase.tick(0);
    phase.done();
    expect(out).toEqual([
      'deploy: resolving every config of the checkout… (1 s)\n',
      'deploy: resolving every config of the checkout… (2 s)\n',
      'deploy: resolving every config of the checkout: done (2 s)\n',
    ]);
  });

  test('the first line comes from the timer, before any unit is done', async () => {
    const out: string[] = [];
    const task = createProgress({
      write: (s) => out.push(s),
      isTTY: false,
      delayMs: 50,
      disabled: false,
    }).start('deploy dev: planning', 500, 'configs');
    tasks.push(task);
    await new Promise((r) => setTimeout(r, 400));
    expect(out[0]).toBe('deploy dev: planning: 0/500 configs (0%)\n');
  });
});

describe('a terminal', () => {
  test('one bar redrawn in place (at most every 100 ms), cleared at the end', () => {
    const { out, start, clock } = capture(true);
    const task = start('migrate', 100, 'objects');
    clock.t += 600;
    for (let i = 0; i < 100; i++) {
      clock.t += 10;
      task.tick();
    }
    task.done();
    expect(out.length).toBeLessThan(15);
    const bars = out.slice(0, -1);
    expect(bars.every((s) => s.startsWith('\rmigrate [') && s.endsWith('\x1b[K'))).toBe(true);
    expect(bars.at(-1)?.replace('\x1b[K', '')).toMatch(/^\rmigrate \[#+\.*\] \d+\/100 objects \d+%$/);
    expect(out.at(-1)).toBe('\r\x1b[K');
    expect(out.join('')).not.toContain('\n');
  });

  test('other output first clears the bar; the next update draws it again', () => {
    const { out, start, clock } = capture(true);
    const task = start('validate dev', 100, 'items');
    clock.t += 600;
    task.tick();
    clearProgressLine();
    expect(out.at(-1)).toBe('\r\x1b[K');
    clock.t += 200;
    task.tick();
    expect(out.at(-1)).toMatch(/^\rvalidate dev \[/);
  });
});

test('progressCallback turns (done, total) callbacks into one task', () => {
  const { out, clock } = capture(false);
  const progress = createProgress({
    write: (s) => out.push(s),
    isTTY: false,
    now: () => clock.t,
    disabled: false,
  });
  const cb = progressCallback(progress, 'sync s3 dev', 'objects');
  cb.onProgress(1, 100);
  clock.t += 600;
  cb.onProgress(50, 100);
  cb.onProgress(100, 100);
  cb.done();
  expect(out).toEqual(['sync s3 dev: 50/100 objects (50%)\n', 'sync s3 dev: 100/100 objects (100%)\n']);
});

test('ITEMSTORE_PROGRESS=0 turns it off', () => {
  expect(progressDisabledByEnv({ ITEMSTORE_PROGRESS: '0' })).toBe(true);
  expect(progressDisabledByEnv({ ITEMSTORE_PROGRESS: 'off' })).toBe(true);
  expect(progressDisabledByEnv({})).toBe(false);
});
