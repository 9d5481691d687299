import { describe, expect, test } from '@jest/globals';
import { formatCsv, parseCsv } from '@itemstore/ops';

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
