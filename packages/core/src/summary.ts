/**
 * A small job-summary builder that produces GitHub-flavoured Markdown. It is pure (no @actions/core), so the CLI can
 * print the same summary to a terminal and tests can assert on it.
 */
/** Markdown that goes into a table cell as it is (already escaped). Plain strings are escaped. */
export class Markdown {
  constructor(readonly md: string) {}
}
export type Cell = string | number | Markdown;

/** A table cell showing a value as inline code (file names, keys). */
export function codeCell(s: string): Markdown {
  return new Markdown(code(s));
}

export class Summary {
  private readonly parts: string[] = [];

  heading(text: string, level: 1 | 2 | 3 | 4 = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${escapeInline(text)}\n`);
    return this;
  }

  paragraph(markdown: string): this {
    this.parts.push(`${markdown}\n`);
    return this;
  }

  list(items: readonly string[]): this {
    if (items.length) this.parts.push(items.map((i) => `- ${i}`).join('\n') + '\n');
    return this;
  }

  /** A table; `limit` cuts long tables gracefully with a line that says how many rows were left out. */
  table(
    header: readonly string[],
    rows: readonly (readonly Cell[])[],
    options: { limit?: number } = {},
  ): this {
    const limit = options.limit ?? Infinity;
    const shown = rows.slice(0, limit);
    const lines = [
      `| ${header.map(escapeCell).join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
      ...shown.map(
        (r) => `| ${r.map((c) => (c instanceof Markdown ? c.md : escapeCell(String(c)))).join(' | ')} |`,
      ),
    ];
    this.parts.push(lines.join('\n') + '\n');
    if (rows.length > shown.length) {
      this.parts.push(
        `_…and ${rows.length - shown.length} more rows not shown (${rows.length} in all); the full list is in the JSON report._\n`,
      );
    }
    return this;
  }

  /** A collapsible section, e.g. one diff per item. */
  details(summary: string, markdownBody: string): this {
    this.parts.push(`<details><summary>${escapeHtml(summary)}</summary>\n\n${markdownBody}\n</details>\n`);
    return this;
  }

  codeBlock(code: string, lang = ''): this {
    this.parts.push(fence(code, lang) + '\n');
    return this;
  }

  raw(markdown: string): this {
    this.parts.push(markdown);
    return this;
  }

  isEmpty(): boolean {
    return this.parts.length === 0;
  }

  toMarkdown(): string {
    return this.parts.join('\n');
  }
}

/** A fenced code block whose fence is longer than any backtick run inside, so content cannot break out. */
export function fence(code: string, lang = ''): string {
  let longest = 2;
  for (const m of code.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${code.endsWith('\n') ? code : code + '\n'}${f}`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeInline(s: string): string {
  return escapeHtml(s).replace(/([\\`*_[\]])/g, '\\$1');
}

/** Table cells: no pipes or newlines may escape the cell. File names can contain both. */
export function escapeCell(s: string): string {
  return escapeHtml(s).replace(/\|/g, '\\|').replace(/\r?\n/g, '↵');
}

/** Inline code that survives backticks in the value. */
export function code(s: string): string {
  const ticks = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(ticks + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${f}${pad}${s.replace(/\|/g, '\\|').replace(/\r?\n/g, '↵')}${pad}${f}`;
}
