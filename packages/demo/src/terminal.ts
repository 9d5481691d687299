/**
 * A job summary (GitHub-flavoured Markdown, as the actions write it) as readable terminal text: headings underlined,
 * tables as aligned columns, `<details>` opened as an indented block, code fences indented, inline markup removed.
 */
export function summaryToText(markdown: string, options: { width?: number } = {}): string {
  const width = options.width ?? 160;
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let indent = '';
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    // Fenced code: copy verbatim, indented.
    const fence = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      const close = fence[1] as string;
      for (i++; i < lines.length && !(lines[i] as string).trim().startsWith(close); i++) {
        out.push(`${indent}    ${lines[i]}`);
      }
      continue;
    }
    // <details><summary>S</summary> … </details>
    const details = /^\s*<details>\s*(?:<summary>([\s\S]*?)<\/summary>)?\s*$/.exec(line);
    if (details) {
      out.push(`${indent}▸ ${inline(details[1] ?? '')}`);
      indent += '  ';
      continue;
    }
    if (/^\s*<\/details>\s*$/.test(line)) {
      indent = indent.slice(2);
      continue;
    }
    line = line.replace(/<\/?(details|summary)>/g, '');
    // Tables: the header, the --- row, then rows.
    if (/^\s*\|/.test(line) && /^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) {
      const rows: string[][] = [cells(line)];
      for (i += 2; i < lines.length && /^\s*\|/.test(lines[i] as string); i++)
        rows.push(cells(lines[i] as string));
      i--;
      out.push(...table(rows, width).map((l) => indent + l));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const text = inline(heading[2] as string);
      if (out.length && out[out.length - 1] !== '') out.push('');
      out.push(indent + text);
      out.push(
        indent + ((heading[1] as string).length <= 2 ? '═' : '─').repeat(Math.min(text.length, width)),
      );
      continue;
    }
    if (/^\s*>/.test(line)) {
      out.push(`${indent}│ ${inline(line.replace(/^\s*>\s?/, ''))}`);
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      out.push(`${indent}• ${inline(line.replace(/^\s*[-*]\s+/, ''))}`);
      continue;
    }
    const text = inline(line);
    if (text === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(text === '' ? '' : indent + text);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

function cells(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (body[i] === '|') {
      parts.push(cur);
      cur = '';
    } else cur += body[i];
  }
  parts.push(cur);
  return parts.map((c) => inline(c.trim()));
}

function table(rows: string[][], width: number): string[] {
  const cols = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: cols }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  // Keep wide tables readable: cut the widest column until the row fits.
  const total = (): number => widths.reduce((a, b) => a + b, 0) + 2 * (cols - 1);
  while (total() > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if ((widths[widest] as number) <= 12) break;
    widths[widest] = (widths[widest] as number) - 1;
  }
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => {
        const w = widths[i] as number;
        const v = c.length > w ? c.slice(0, w - 1) + '…' : c;
        return i === cols - 1 ? v : v.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [fmt(rows[0] as string[]), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(fmt)];
}

/** Inline Markdown and HTML to plain text. */
function inline(s: string): string {
  return s
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1 ($2)')
    .replace(/(`+)\s?([^`]*?)\s?\1/g, '$2')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|\s)_([^_]+)_(?=\s|$|[.,;:])/g, '$1$2')
    .replace(/\\([\\`*_[\]|#>])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
