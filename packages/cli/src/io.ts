import { ConfigError, clearProgressLine, type Logger } from '@itemstore/core';

// A progress bar on the terminal is cleared before any other line is written (it is drawn again at its next update).
export function stderr(line: string): void {
  clearProgressLine();
  process.stderr.write(line.endsWith('\n') ? line : line + '\n');
}

export function stdout(text: string): void {
  clearProgressLine();
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** The CLI's logger: stderr, `file:line:col: message` for located problems, debug lines only with ITEMSTORE_DEBUG. */
export const terminalLogger: Logger = {
  debug: (m) => {
    if (process.env.ITEMSTORE_DEBUG) stderr(`debug: ${m}`);
  },
  info: (m) => stderr(m),
  warning: (m) => stderr(`warning: ${m instanceof ConfigError ? m.toString() : m}`),
  error: (m) => stderr(`error: ${m instanceof ConfigError ? m.toString() : m}`),
};
