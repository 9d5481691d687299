import { describe, expect, test } from '@jest/globals';
import { createProgress, formatCsv, parseCsv } from '@itemstore/ops';

function capture(isTTY: boolean, clock = { t: 0 }) {
  const out: string[] = [];
  const progress = createProgress({
    write: (s) => out.push(s),
    isTTY,
    columns: 60,
    now: () => clock.t,
    intervalMs: 1000,
  });
  return { out, progress, clock };
}

describe('progress', () => {
  test('not a terminal: a line at every 10 %, none in between, one at the end', () => {
    const { out, progress } = capture(false);
    const task = progress.start('validate dev', 200);
    for (let i = 0; i < 200; i++) task.tick();
    task.done();
    expect(out).toHaveLength(10);
    expect(out[0]).toBe('validate dev: 20/200 (10%)\n');
    expect(out.at(-1)).toBe('validate dev: 200/200 (100%)\n');
    expect(out.join('')).not.toContain('\r');
  });

  test('not a terminal: a slow task still prints a line after the interval', () => {
    const { out, progress, clock } = capture(false);
    const task = progress.start('load', 1000);
    task.tick();
    clock.t = 1500;
    task.tick();
    expect(out).toEqual(['load: 2/1000 (0%)\n']);
  });

  test('a terminal: one bar redrawn in place, at most every 100 ms, finished with a newline', () => {
    const { out, progress, clock } = capture(true);
    const task = progress.start('migrate', 100);
    for (let i = 0; i < 100; i++) {
      clock.t += 10;
      task.tick();
    }
    task.done();
    expect(out.length).toBeLessThan(15);
    expect(out.slice(0, -1).every((s) => s.startsWith('\rmigrate ['))).toBe(true);
    expect(out.at(-2)).toMatch(/^\rmigrate \[#+\] 100\/100 100%$/);
    expect(out.at(-1)).toBe('\n');
  });

  test('small tasks show nothing', () => {
    const { out, progress } = capture(false);
    const task = progress.start('tiny', 10);
    task.tick(10);
    task.done();
    expect(out).toEqual([]);
  });
});

describe('csv', () => {
  test('round trip of fields with commas, quotes, newlines; records know their line', () => {
    const rows = [
      ['a', 'b,c', 'say "hi"'],
      ['multi\nline', '', ' padded '],
      ['last', 'x', 'y'],
    ];
    const text = formatCsv(rows);
    expect(text).toBe('a,"b,c","say ""hi"""\n"multi\nline",," padded "\nlast,x,y\n');
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: rows[0] },
      { line: 2, fields: rows[1] },
      { line: 4, fields: rows[2] },
    ]);
  });

  test('an unclosed quote is located', () => {
    expect(() => parseCsv('a,b\nc,"open\n')).toThrow(
      expect.objectContaining({ line: 2, column: 3 }) as unknown as Error,
    );
  });
});
