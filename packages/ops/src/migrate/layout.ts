/**
 * The notes' step 2: the configs of the flags table in the repo layout. `<prefix><team>/<rest>` becomes
 * `<team>/default/<rest>` (default/: the configs that also go to S3). Content: dq teams store legacy multi-document
 * YAML in S3, which becomes one `config_list:` document (convert's fromLegacyMultiDoc + toConfigListYaml);
 * config-list teams get the same conversion when an object is multi-document; everything else keeps its bytes.
 * Tags go into generated tags.yaml files (`files:` entries, one per tagged config, so nothing is inherited between
 * generated files). Everything is converted and checked before the first write; unchanged files are not rewritten.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError, ConfigErrors, md5Hex, type Logger } from '@itemstore/core';
import {
  DEFAULT_FOLDER,
  baseName,
  dirName,
  objectKey,
  type S3Location,
  type Settings,
} from '@itemstore/config';
import {
  describeReading,
  fromLegacyMultiDoc,
  parseConfig,
  rewriteYaml11,
  toConfigListYaml,
  type Yaml11Finding,
} from '@itemstore/convert';
import type { ObjectReader } from '../object-side.js';
import type { FlagRow } from './flags.js';

export const GENERATED_TAGS_HEADER = '# Written by itemstore migrate from the flags table';

export interface PlannedFile {
  path: string;
  bytes: Buffer;
  /** The S3 key it came from (for config files). */
  s3Key?: string;
  /** How the content was made. */
  how: 'bytes' | 'from-legacy' | 'tags';
  /** Scalars of the object that YAML 1.1 (its readers) and YAML 1.2 (the repo, V2) read differently. */
  rewrites?: RewrittenScalar[];
}

/**
 * One scalar of a legacy object that YAML 1.1 readers and YAML 1.2 read differently: the repo file and V2 get
 * its YAML 1.1 value (`yes` → true), written so that both versions read it that way.
 */
export interface RewrittenScalar {
  s3Key: string;
  path: string;
  /** Where it is in the S3 object. */
  line: number;
  column: number;
  from: string;
  to: string;
  /** What V2 stores, in words (`true`, `the number 493`, `the string "2001-12-14"`). */
  stored: string;
  /** Set when readers disagree (PyYAML) or JSON cannot hold the 1.1 value (a date keeps its text). */
  note?: string;
  /**
   * Per-environment migration: the buckets whose object has this scalar. The repo file holds the `repo-from`
   * environment's; the others' values went to their own V2 environment only.
   */
  environments?: string[];
}

function rewrittenScalar(f: Yaml11Finding, s3Key: string, path: string): RewrittenScalar {
  const note =
    f.yaml11.type === 'timestamp'
      ? `${describeReading(f.yaml11, f.text)} to YAML 1.1 readers; JSON has no dates, so V2 keeps the text`
      : f.pyyaml
        ? `PyYAML reads ${describeReading(f.pyyaml, f.text)}: check which one its readers expect`
        : undefined;
  return {
    s3Key,
    path,
    line: f.line,
    column: f.column,
    from: f.text,
    to: f.rewrite,
    stored:
      typeof f.stored === 'string'
        ? `the string ${JSON.stringify(f.stored)}`
        : describeReading(f.yaml11, f.text),
    ...(note ? { note } : {}),
  };
}

/** `<team>/default/<rest>` for a key `<prefix><team>/<rest>`. */
export function repoPathOf(row: Pick<FlagRow, 's3Key' | 'team'>, prefix: string): string {
  const rest = row.s3Key.slice(prefix.length + row.team.length + 1);
  return `${row.team}/${DEFAULT_FOLDER}/${rest}`;
}

export async function planLayout(options: {
  rows: readonly FlagRow[];
  settings: Settings;
  location: S3Location;
  reader: ObjectReader;
  repoDir: string;
  flagsFile: string;
  logger: Logger;
  /** Called after each object is read (progress). */
  onRead?: () => void;
}): Promise<PlannedFile[]> {
  const { settings, location, reader, logger } = options;
  const errors: ConfigError[] = [];
  const files: PlannedFile[] = [];
  const tagsByFolder = new Map<string, Map<string, Record<string, string>>>();
  const warnedTeams = new Set<string>();
  for (const row of options.rows) {
    if (row.action !== 'migrate') continue;
    const at = { file: options.flagsFile, ...(row.line ? { line: row.line, column: 1 } : {}) };
    if (!row.s3Key.startsWith(objectKey(location, `${row.team}/`))) {
      errors.push(
        new ConfigError(
          'flags-team',
          `${row.s3Key} is not in team ${row.team}'s folder below ${location.prefix || 'the bucket root'}; the team is the key's first folder`,
          at,
        ),
      );
      continue;
    }
    const path = repoPathOf(row, location.prefix);
    const bytes = await reader.get(location, row.s3Key);
    options.onRead?.();
    if (!bytes) {
      errors.push(
        new ConfigError(
          'missing-object',
          `${row.s3Key} is in the flags table but not in ${reader.label}`,
          at,
        ),
      );
      continue;
    }
    const team = settings.teams[row.team]!;
    try {
      const {
        bytes: out,
        how,
        found,
      } = repoBytesOf(bytes, row.s3Key, path, team, settings, () => {
        if (
          team.format === 'config-list' &&
          team.s3Format !== 'legacy-multidoc' &&
          !warnedTeams.has(row.team)
        ) {
          warnedTeams.add(row.team);
          logger.warning(
            `team ${row.team} has legacy multi-document objects (${row.s3Key}) but item-store.yaml does not set s3Format: legacy-multidoc for it, so sync-s3 would replace them with config_list YAML; set it if S3 readers still expect the legacy format`,
          );
        }
      });
      files.push({
        path,
        bytes: out,
        s3Key: row.s3Key,
        how,
        ...(found.length ? { rewrites: found.map((f) => rewrittenScalar(f, row.s3Key, path)) } : {}),
      });
    } catch (err) {
      if (err instanceof ConfigErrors) errors.push(...err.errors);
      else if (err instanceof ConfigError) errors.push(err);
      else throw err;
      continue;
    }
    if (Object.keys(row.tags).length) {
      const folder = dirName(path);
      const m = tagsByFolder.get(folder) ?? new Map<string, Record<string, string>>();
      m.set(baseName(path), row.tags);
      tagsByFolder.set(folder, m);
    }
  }
  for (const [folder, entries] of [...tagsByFolder].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const path = `${folder}/tags.yaml`;
    const existing = await readIfExists(join(options.repoDir, path));
    if (existing !== undefined && !existing.toString('utf8').startsWith(GENERATED_TAGS_HEADER)) {
      errors.push(
        new ConfigError(
          'tags-file-exists',
          `${path} exists and was not written by itemstore migrate; merge its tags into the flags table and remove it, or migrate into another folder`,
          { file: path, line: 1, column: 1 },
        ),
      );
      continue;
    }
    files.push({ path, bytes: Buffer.from(generatedTagsYaml(entries), 'utf8'), how: 'tags' });
  }
  if (errors.length) throw new ConfigErrors(errors);
  return files;
}

/**
 * The repo file for one S3 object, meaning for YAML 1.2 readers what the object meant to its YAML 1.1 readers:
 * legacy multi-document YAML (dq teams, and config-list objects not yet one document) becomes one config_list
 * document of the 1.1 values; other YAML keeps its bytes with each ambiguous scalar rewritten (`yes` → `true`);
 * JSON keeps its bytes. Checked as a config of its team; throws ConfigError(s).
 */
export function repoBytesOf(
  bytes: Buffer,
  s3Key: string,
  path: string,
  team: Settings['teams'][string],
  settings: Settings,
  onLegacy?: () => void,
): { bytes: Buffer; how: PlannedFile['how']; found: Yaml11Finding[] } {
  let out: Buffer = bytes;
  let how: PlannedFile['how'] = 'bytes';
  const found: Yaml11Finding[] = [];
  if (team.format === 'dq' || (team.format === 'config-list' && needsConfigList(bytes, s3Key))) {
    // Read as the legacy readers did (YAML 1.1 types); the config_list writer then writes those values.
    const { value } = fromLegacyMultiDoc(bytes, {
      file: s3Key,
      yaml11: { read: true, onFinding: (f) => found.push(f) },
    });
    out = Buffer.from(toConfigListYaml(value, { file: s3Key }), 'utf8');
    how = 'from-legacy';
    onLegacy?.();
  } else if (!path.endsWith('.json')) {
    // The bytes, with each scalar YAML 1.1 reads differently written as its 1.1 value (`yes` → true).
    const rewritten = rewriteYaml11(bytes, { file: s3Key, maxBytes: Infinity });
    if (rewritten.rewrites.length) {
      out = Buffer.from(rewritten.text, 'utf8');
      found.push(...rewritten.rewrites);
    }
  }
  parseConfig(out, {
    file: path,
    format: team.format,
    ...(settings.maxConfigBytes ? { maxBytes: settings.maxConfigBytes } : {}),
  });
  return { bytes: out, how, found };
}

/** A config-list object that is not already one document with a config_list (a legacy multi-document file). */
function needsConfigList(bytes: Buffer, key: string): boolean {
  try {
    parseConfig(bytes, { file: key, format: 'config-list' });
    return false;
  } catch (err) {
    const code =
      err instanceof ConfigError ? err.code : err instanceof ConfigErrors ? err.errors[0]?.code : undefined;
    if (code === 'multi-document' || code === 'config-list-shape') return true;
    throw err;
  }
}

export function generatedTagsYaml(entries: Map<string, Record<string, string>>): string {
  const lines = [
    `${GENERATED_TAGS_HEADER}; edit the table and run migrate again rather than this file.`,
    'files:',
  ];
  for (const name of [...entries.keys()].sort()) {
    lines.push(`  ${JSON.stringify(name)}:`, '    tags:');
    const tags = entries.get(name)!;
    for (const k of Object.keys(tags).sort()) lines.push(`      ${k}: ${JSON.stringify(tags[k])}`);
  }
  return lines.join('\n') + '\n';
}

/** What migrate wrote, by repo path (MD5 of the bytes), so a re-run can tell an author's edit from its own file. */
export const MIGRATION_STATE_FILE = '.itemstore/migration-files.json';

export interface WriteLayoutOptions {
  /** MD5 of each file as migrate last wrote it (MIGRATION_STATE_FILE). */
  state?: Record<string, string>;
  /** Paths (or folders) to replace even when they changed since migrate wrote them. */
  overwrite?: readonly string[];
}

/** A file migrate did not replace because someone changed it since migrate wrote it (or migrate never wrote it). */
export interface KeptFile {
  path: string;
  reason: string;
}

export function underAny(path: string, list: readonly string[]): boolean {
  return list.some((p) => {
    const q = p.replace(/\/+$/, '');
    return path === q || path.startsWith(`${q}/`);
  });
}

/**
 * Writes the files whose bytes differ, except files changed since migrate wrote them (their MD5 is not the one in
 * `state`) and files migrate never wrote: those are kept and listed, unless under `overwrite`. Returns which were
 * written, already there, and kept, and the new state.
 */
export async function writeLayout(
  repoDir: string,
  files: readonly PlannedFile[],
  options: WriteLayoutOptions = {},
): Promise<{ written: string[]; unchanged: string[]; kept: KeptFile[]; state: Record<string, string> }> {
  const written: string[] = [];
  const unchanged: string[] = [];
  const kept: KeptFile[] = [];
  const before = options.state ?? {};
  const state: Record<string, string> = { ...before };
  for (const f of files) {
    const abs = join(repoDir, ...f.path.split('/'));
    const existing = await readIfExists(abs);
    const md5 = md5Hex(f.bytes);
    if (existing?.equals(f.bytes)) {
      unchanged.push(f.path);
      state[f.path] = md5;
      continue;
    }
    if (existing && !underAny(f.path, options.overwrite ?? [])) {
      const recorded = before[f.path];
      if (recorded === undefined || recorded !== md5Hex(existing)) {
        kept.push({
          path: f.path,
          reason:
            recorded === undefined
              ? 'not written by migrate; kept (--overwrite it to replace it with the S3 content)'
              : 'changed since migrate wrote it; kept (--overwrite it to replace it with the S3 content)',
        });
        continue;
      }
    }
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, f.bytes);
    written.push(f.path);
    state[f.path] = md5;
  }
  return { written, unchanged, kept, state };
}

async function readIfExists(abs: string): Promise<Buffer | undefined> {
  try {
    return await readFile(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw err;
  }
}
