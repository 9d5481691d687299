/** RFC 4180 CSV, small: fields quoted when they need it, records remember the line they start on. */

export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

/** Parses CSV text; throws `{message, line, column}` (1-based) on an unterminated quote or text after a quote. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let col = 1;
  let i = 0;
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  while (i < src.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (src[i] === '"') {
        const qLine = line;
        const qCol = col;
        i++;
        col++;
        for (;;) {
          if (i >= src.length) throw { message: 'a quoted field is never closed', line: qLine, column: qCol };
          const ch = src[i] as string;
          if (ch === '"') {
            if (src[i + 1] === '"') {
              value += '"';
              i += 2;
              col += 2;
              continue;
            }
            i++;
            col++;
            break;
          }
          value += ch;
          i++;
          if (ch === '\n') {
            line++;
            col = 1;
          } else col++;
        }
        if (i < src.length && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') {
          throw { message: 'unexpected text after a closing quote', line, column: col };
        }
      } else {
        while (i < src.length && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') {
          value += src[i];
          i++;
          col++;
        }
      }
      fields.push(value);
      if (src[i] === ',') {
        i++;
        col++;
        continue;
      }
      break;
    }
    if (src[i] === '\r') i++;
    if (src[i] === '\n') i++;
    line++;
    col = 1;
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return records;
}
