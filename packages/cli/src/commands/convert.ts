import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, ConfigErrors, UsageError } from '@itemstore/core';
import {
  CONFIG_FORMATS,
  fromLegacyMultiDoc,
  parseConfig,
  toConfigListYaml,
  toLegacyMultiDoc,
  toV2Json,
  type ConfigFormat,
} from '@itemstore/convert';

export const CONVERT_USAGE = `Usage: itemstore convert <direction> <file> [-o OUT] [--format plain|config-list|dq] [--max-bytes N]

Directions:
  to-v2           a config (.json, .yaml, .yml) -> the JSON text Item Store V2 stores
  to-config-list  a legacy multi-document YAML -> one YAML document whose config_list holds the documents
                  (the form config authors commit)
  to-legacy       a config_list config (YAML or JSON) -> the legacy multi-document YAML S3 gets (format dq)
  from-legacy     a legacy multi-document YAML -> the V2 JSON of {"config_list": [...]}

Options:
  -o, --output OUT  write to OUT instead of stdout (nothing is written when the input has a problem)
  --format F        team format for to-v2 (default plain) and to-legacy (default dq)
  --max-bytes N     size limit for the input (default 1048576)

Problems print as file:line:column: message and exit 1; a wrong call exits 2.`;

const DIRECTIONS = ['to-v2', 'to-config-list', 'to-legacy', 'from-legacy'] as const;
type Direction = (typeof DIRECTIONS)[number];

export interface CommandIo {
  stdout(text: string): void;
  stderr(line: string): void;
}

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (line) => process.stderr.write(line.endsWith('\n') ? line : line + '\n'),
};

export async function convertCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let call: ReturnType<typeof parseCall>;
  try {
    call = parseCall(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`itemstore convert: ${err.message}\n\n${CONVERT_USAGE}`);
      return 2;
    }
    throw err;
  }
  if (call === 'help') {
    io.stdout(CONVERT_USAGE + '\n');
    return 0;
  }
  try {
    const bytes = readInput(call.file);
    const text = convert(call.direction, bytes, call.file, call.format, call.maxBytes);
    if (call.output === undefined) io.stdout(text);
    else writeAtomically(call.output, text);
    return 0;
  } catch (err) {
    if (err instanceof ConfigErrors) {
      for (const e of err.errors) io.stderr(e.toString());
      return 1;
    }
    if (err instanceof ConfigError) {
      io.stderr(err.toString());
      return 1;
    }
    if (err instanceof UsageError) {
      io.stderr(`itemstore convert: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

function parseCall(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        output: { type: 'string', short: 'o' },
        format: { type: 'string' },
        'max-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help' as const;
  const [direction, file, ...extra] = positionals;
  if (!direction)
    throw new UsageError('say which direction: to-v2, to-config-list, to-legacy or from-legacy.');
  if (!(DIRECTIONS as readonly string[]).includes(direction)) {
    throw new UsageError(
      `unknown direction "${direction}"; use to-v2, to-config-list, to-legacy or from-legacy.`,
    );
  }
  if (!file) throw new UsageError(`convert ${direction} needs the file to convert.`);
  if (extra.length > 0) throw new UsageError(`convert takes one file; got also ${extra.join(' ')}.`);
  const format = values.format;
  if (format !== undefined && !(CONFIG_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be plain, config-list or dq, not "${format}".`);
  }
  let maxBytes: number | undefined;
  if (values['max-bytes'] !== undefined) {
    maxBytes = Number(values['max-bytes']);
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new UsageError(`--max-bytes must be a positive whole number, not "${values['max-bytes']}".`);
    }
  }
  if (values.output === '') throw new UsageError('-o needs a file name.');
  return {
    direction: direction as Direction,
    file: file.replaceAll('\\', '/'),
    output: values.output,
    format: format as ConfigFormat | undefined,
    maxBytes,
  };
}

export function convert(
  direction: Direction,
  bytes: Uint8Array,
  file: string,
  format: ConfigFormat | undefined,
  maxBytes: number | undefined,
): string {
  const options = { file, ...(maxBytes === undefined ? {} : { maxBytes }) };
  switch (direction) {
    case 'to-v2':
      return toV2Json(bytes, { ...options, format: format ?? 'plain' }).text;
    case 'to-legacy':
      return toLegacyMultiDoc(parseConfig(bytes, { ...options, format: format ?? 'dq' }), { file });
    case 'from-legacy':
      return fromLegacyMultiDoc(bytes, options).text;
    case 'to-config-list':
      return toConfigListYaml(fromLegacyMultiDoc(bytes, options).value, { file });
  }
}

function readInput(file: string): Uint8Array {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw new UsageError(`cannot read ${file}: no such file.`);
  }
  if (!isFile) throw new UsageError(`${file} is not a file.`);
  return readFileSync(file);
}

/** Write beside the target, then rename, so a reader never sees half a file. */
function writeAtomically(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UsageError(
      `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
    );
  }
}
