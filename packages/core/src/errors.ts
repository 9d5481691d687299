/**
 * One error type for everything a user can fix: a located problem in a file of the config repo (or in an input).
 * Anything else that is thrown is a bug and is reported with its stack trace in the debug log.
 */
export interface SourceLocation {
  /** Path relative to the config repo root, with forward slashes. */
  file: string;
  /** 1-based line, when the parser knows it. */
  line?: number;
  /** 1-based column, when the parser knows it. */
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export type Severity = 'error' | 'warning';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly endLine: number | undefined;
  readonly endColumn: number | undefined;
  /** A stable, short machine-readable reason, e.g. `yaml-syntax`, `identity-conflict`. */
  readonly code: string;
  readonly severity: Severity;

  constructor(
    code: string,
    message: string,
    location?: Partial<SourceLocation>,
    options?: { severity?: Severity; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = location?.file;
    this.line = location?.line;
    this.column = location?.column;
    this.endLine = location?.endLine;
    this.endColumn = location?.endColumn;
    this.severity = options?.severity ?? 'error';
  }

  /** `file:line:column: message`, the form compilers use, so editors and terminals can jump to it. */
  override toString(): string {
    return `${formatLocation(this)}${this.message}`;
  }

  toJSON(): ConfigErrorJSON {
    return {
      code: this.code,
      message: this.message,
      severity: this.severity,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.line === undefined ? {} : { line: this.line }),
      ...(this.column === undefined ? {} : { column: this.column }),
    };
  }

  static fromJSON(json: ConfigErrorJSON): ConfigError {
    return new ConfigError(
      json.code,
      json.message,
      { file: json.file, line: json.line, column: json.column },
      { severity: json.severity },
    );
  }

  /** The same problem at another place (e.g. a parser error re-anchored to a file). */
  withLocation(location: Partial<SourceLocation>): ConfigError {
    return new ConfigError(
      this.code,
      this.message,
      {
        file: location.file ?? this.file,
        line: location.line ?? this.line,
        column: location.column ?? this.column,
      },
      { severity: this.severity, cause: this.cause },
    );
  }
}

export interface ConfigErrorJSON {
  code: string;
  message: string;
  severity: Severity;
  file?: string;
  line?: number;
  column?: number;
}

/** A mistake in how a command or action was called (a bad input), not in a file. One clear sentence. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function isUserError(err: unknown): err is ConfigError | UsageError {
  return err instanceof ConfigError || err instanceof UsageError;
}

export function formatLocation(loc: Partial<SourceLocation>): string {
  if (!loc.file) return '';
  let s = loc.file;
  if (loc.line !== undefined) {
    s += `:${loc.line}`;
    if (loc.column !== undefined) s += `:${loc.column}`;
  }
  return `${s}: `;
}

/**
 * Codes of problems that are only the consequence of others (a config that "could not be resolved" because its
 * tags.yaml is broken). They are listed after every cause, so a report reads cause first, effect second.
 */
export const CONSEQUENCE_CODES: ReadonlySet<string> = new Set(['unresolved']);

/**
 * Sort errors by file, then line, then column, so every report reads top to bottom; consequences (CONSEQUENCE_CODES)
 * come after all the causes, whatever their file.
 */
export function sortErrors<T extends Partial<SourceLocation> & { code?: string }>(errors: readonly T[]): T[] {
  const effect = (e: T): number => (e.code !== undefined && CONSEQUENCE_CODES.has(e.code) ? 1 : 0);
  return [...errors].sort(
    (a, b) =>
      effect(a) - effect(b) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

/** Thrown when a run has several located problems at once (validation of a whole manifest, say). */
export class ConfigErrors extends Error {
  override readonly name = 'ConfigErrors';
  constructor(readonly errors: readonly ConfigError[]) {
    super(
      errors.length === 1
        ? (errors[0] as ConfigError).toString()
        : `${errors.length} problems found; the first is ${(errors[0] as ConfigError).toString()}`,
    );
  }
}
