import type { ConfigError } from './errors.js';

/**
 * What libraries log through. The actions back it with @actions/core, the CLI with the terminal, tests with an
 * array. Libraries never import @actions/core themselves.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string | ConfigError): void;
  error(message: string | ConfigError): void;
  /** Marks a secret so no later output shows it. */
  mask?(secret: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warning() {},
  error() {},
};

/** A logger that keeps every line, for tests and for replaying into a summary. */
export class MemoryLogger implements Logger {
  readonly lines: { level: 'debug' | 'info' | 'warning' | 'error'; message: string }[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warning(message: string | ConfigError): void {
    this.lines.push({ level: 'warning', message: String(message) });
  }
  error(message: string | ConfigError): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
}
