import * as core from '@actions/core';
import { accessSync, appendFileSync, closeSync, constants, existsSync, openSync, readSync } from 'node:fs';
import { EOL } from 'node:os';
import {
  nodeCrypto,
  ConfigError,
  ConfigErrors,
  UsageError,
  planAnnotations,
  Summary,
  codeCell,
  createProgress,
  type Logger,
  type Progress,
} from '@itemstore/core';

/** A Logger backed by the runner: annotations for located problems, plain lines otherwise. */
export const actionsLogger: Logger = {
  debug: (m) => core.debug(m),
  info: (m) => core.info(m),
  warning: (m) => (m instanceof ConfigError ? emitAnnotations([m]) : core.warning(m)),
  error: (m) => (m instanceof ConfigError ? emitAnnotations([m]) : core.error(m)),
  mask: (s) => core.setSecret(s),
};

/**
 * Progress in the run's log: plain lines (`deploy dev: 420/1000 items (42%)`), never a bar (the log is not a
 * terminal), at every 10 % and at least every 10 s of a long step; nothing for small or quick ones.
 */
export function actionsProgress(): Progress {
  return createProgress({ isTTY: false, write: (t) => core.info(t.trimEnd()) });
}

export function getInput(name: string): string {
  return core.getInput(name, { trimWhitespace: true });
}

export function getRequiredInput(name: string): string {
  const v = getInput(name);
  if (!v) throw new UsageError(`Input "${name}" is required but was empty; set it in the step's "with:".`);
  return v;
}

export function getBooleanInput(name: string, defaultValue: boolean): boolean {
  const v = getInput(name).toLowerCase();
  if (v === '') return defaultValue;
  if (['true', 'yes', 'on', '1'].includes(v)) return true;
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  throw new UsageError(`Input "${name}" must be true or false, got "${getInput(name)}".`);
}

export function getChoiceInput<T extends string>(name: string, choices: readonly T[], defaultValue: T): T {
  const v = getInput(name);
  if (v === '') return defaultValue;
  if ((choices as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`Input "${name}" must be one of ${choices.join(', ')}, got "${v}".`);
}

export function getIntegerInput(name: string, defaultValue: number, min = 1, max = 1000): number {
  const v = getInput(name);
  if (v === '') return defaultValue;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`Input "${name}" must be a whole number from ${min} to ${max}, got "${v}".`);
  }
  return n;
}

/** Multi-line or comma-separated list input; blank lines and `#` comments are skipped. */
export function getListInput(name: string): string[] {
  return getInput(name)
    .split(/\r?\n|,/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
}

/**
 * Step outputs, each written as @actions/core's setOutput writes it: a `name<<ghadelimiter_<UUID v4>` heredoc in the
 * GITHUB_OUTPUT file (a name or value holding its delimiter is refused), all in one append. The delimiters' random
 * bytes come from /dev/urandom where there is one: the one-file push's detect step hashes nothing, and loading
 * node:crypto for a random UUID was a tenth of its own CPU. Without GITHUB_OUTPUT, @actions/core's stdout command.
 */
export function setOutputs(outputs: Record<string, string | number | boolean>): void {
  const file = process.env.GITHUB_OUTPUT || '';
  const entries = Object.entries(outputs);
  if (!file) {
    for (const [k, v] of entries) core.setOutput(k, String(v));
    return;
  }
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  const random = randomBytes(16 * entries.length);
  let text = '';
  try {
    entries.forEach(([name, v], i) => {
      const value = String(v);
      const delimiter = `ghadelimiter_${uuidV4(random.subarray(16 * i, 16 * i + 16))}`;
      if (name.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
      }
      if (value.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
      }
      text += `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
    });
  } finally {
    // As one setOutput call after another would: the outputs before a refused one are written.
    if (text) appendFileSync(file, text, { encoding: 'utf8' });
  }
}

/** `n` cryptographically random bytes: the kernel's, else node:crypto's. */
function randomBytes(n: number): Buffer {
  const out = Buffer.alloc(n);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      for (let got = 0; got < n;) {
        const r = readSync(fd, out, got, n - got, null);
        if (r <= 0) throw new Error('/dev/urandom: short read');
        got += r;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  } catch {
    return nodeCrypto().randomBytes(n);
  }
}

/** RFC 9562 version 4 (random) UUID text from 16 random bytes, as crypto.randomUUID() gives. */
export function uuidV4(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Located errors become annotations (at most 10 of each severity, as GitHub shows per step); the rest are returned
 * as a summary section so nothing is lost.
 */
export function emitAnnotations(
  errors: readonly ConfigError[],
  options: { pathPrefix?: string } = {},
): Summary | undefined {
  // Annotations need paths relative to the repository; config paths are relative to the config repo's folder.
  const { annotations, overflow } = planAnnotations(errors, { pathPrefix: options.pathPrefix ?? '' });
  for (const a of annotations) {
    const props: core.AnnotationProperties = {
      title: a.title,
      file: a.file,
      startLine: a.startLine,
      startColumn: a.startColumn,
    };
    if (a.severity === 'error') core.error(a.message, props);
    else core.warning(a.message, props);
  }
  if (!overflow.length) return undefined;
  return errorsSummary(
    overflow,
    `${overflow.length} more problems (GitHub shows only 10 annotations of each kind)`,
  );
}

export function errorsSummary(errors: readonly ConfigError[], heading: string): Summary {
  return new Summary().heading(heading, 3).table(
    ['file', 'line', 'column', 'problem'],
    errors.map((e) => [
      e.file ? codeCell(e.file) : '',
      e.line ?? '',
      e.column ?? '',
      `${e.code}: ${e.message}`,
    ]),
  );
}

/**
 * Writes a step's JSON report to `<RUNNER_TEMP>/<name>-<8 hex>.json` (the OS temp folder outside a runner) and
 * returns its path, for the step's `report` output.
 */
export async function writeReport(name: string, report: unknown): Promise<string> {
  // Loaded here, when a run has a report to write, not at every start.
  const [{ randomBytes }, { writeFile }, { tmpdir }, { join }] = await Promise.all([
    import('node:crypto'),
    import('node:fs/promises'),
    import('node:os'),
    import('node:path'),
  ]);
  const path = join(process.env.RUNNER_TEMP || tmpdir(), `${name}-${randomBytes(4).toString('hex')}.json`);
  await writeFile(path, JSON.stringify(report, null, 2) + '\n');
  return path;
}

/**
 * Appends the summary to the job summary file, as `core.summary.addRaw(markdown, true).write()` does (the same
 * access check and error, the text and an end of line appended), with two synchronous calls instead of four round
 * trips through libuv's thread pool at the end of every step.
 */
export async function writeSummary(summary: Summary): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (summary.isEmpty() || !file) return;
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(
      `Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`,
    );
  }
  appendFileSync(file, summary.toMarkdown() + EOL, { encoding: 'utf8' });
}

/**
 * Runs an action's body once: a user's mistake fails the step with one clear sentence (and annotations), a bug
 * fails it with the message and puts the stack in the debug log.
 */
export async function runAction(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof ConfigErrors) {
      const more = emitAnnotations(err.errors);
      if (more) await writeSummary(more);
      core.setFailed(
        `${name}: ${err.errors.length} problem${err.errors.length === 1 ? '' : 's'} found: ${err.message}`,
      );
    } else if (err instanceof ConfigError) {
      emitAnnotations([err]);
      core.setFailed(`${name}: ${err.toString()}`);
    } else if (err instanceof UsageError) {
      core.setFailed(`${name}: ${err.message}`);
    } else if (isOperational(err)) {
      // The Item Store refused or could not be reached: its message names the cause (and for a token scope, the fix).
      core.setFailed(`${name}: ${err.message}`);
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      core.debug(e.stack ?? String(e));
      core.setFailed(
        `${name} failed unexpectedly: ${e.message} (this is a bug; the stack is in the debug log)`,
      );
    }
  }
}

/** An Item Store V2 client failure (ItemStoreError, known by name: action-kit does not depend on the client). */
function isOperational(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ItemStoreError';
}

/** Masks the AWS credentials the default chain may read from the environment, so no log or summary shows them. */
export function maskAwsCredentials(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const v = env[name];
    if (v) core.setSecret(v);
  }
}

/**
 * Config errors name paths in the config repo; annotations need them relative to the git repository, so a config
 * repo in a folder (the manifest's workingDirectory) gets that folder in front. Anything else is returned as is.
 */
export function inRepoFolder(err: unknown, folder: string): unknown {
  const prefix = folder.replace(/^\.\/?/, '').replace(/\/+$/, '');
  if (!prefix) return err;
  const moved = (e: ConfigError): ConfigError =>
    e.file ? e.withLocation({ file: `${prefix}/${e.file}` }) : e;
  if (err instanceof ConfigErrors) return new ConfigErrors(err.errors.map(moved));
  if (err instanceof ConfigError) return moved(err);
  return err;
}

export { core };
