/**
 * The flags table (the notes' step 1): one row per S3 key with the team, namespace, tags and S3-only flag the
 * migration gives it. Derived from the paths as an editable draft; once the CSV exists it is the source of truth
 * (a maintainer edits tags or skips keys there, and the next run follows it).
 *
 * Derivation rule, for a key `<prefix><team>/<folder>/.../<file>`:
 * - team: the first segment below the prefix; it must be a team of item-store.yaml, else the row is `skip`;
 * - namespace: that team's namespace in item-store.yaml;
 * - tags: `folder=<the folders between the team and the file, joined by />` when there are any, else none (the
 *   implicit `name` and `team` tags come from the repo path, as for every config);
 * - s3_only: the file name (without extension) ends with one of item-store.yaml's s3OnlySuffixes;
 * - action: `migrate`, or `skip` (with a note) for keys that cannot be configs (not .yaml/.yml/.json, a tags file,
 *   a segment starting with '.', outside a team folder).
 */
import { ConfigError } from '@itemstore/core';
import {
  CONFIG_EXTENSIONS,
  configName,
  isTagsFile,
  tagKeyProblem,
  tagValueProblem,
  type Settings,
} from '@itemstore/config';
import { formatCsv, parseCsv } from './csv.js';

export const FLAGS_COLUMNS = ['s3_key', 'team', 'namespace', 'tags', 's3_only', 'action', 'note'] as const;

export interface FlagRow {
  s3Key: string;
  team: string;
  namespace: string;
  /** Tags the migration writes for the file (tags.yaml `files:` entries), besides the implicit name and team. */
  tags: Record<string, string>;
  s3Only: boolean;
  action: 'migrate' | 'skip';
  note: string;
  /** Line in the CSV (when read from one). */
  line?: number;
}

/** The draft row of one key. */
export function deriveFlagRow(settings: Settings, prefix: string, key: string, tenant?: string): FlagRow {
  const rel = key.slice(prefix.length);
  const segments = rel.split('/');
  const team = segments.length > 1 ? (segments[0] as string) : '';
  const teamSettings = team && Object.hasOwn(settings.teams, team) ? settings.teams[team] : undefined;
  const file = segments.at(-1) as string;
  const name = configName(file);
  const row: FlagRow = {
    s3Key: key,
    team,
    namespace: teamSettings?.namespace ?? '',
    tags: {},
    s3Only: settings.s3OnlySuffixes.some((s) => name.endsWith(s)),
    action: 'migrate',
    note: '',
  };
  const skip = (note: string): FlagRow => ({ ...row, action: 'skip', note });
  if (!team) return skip('not in a team folder');
  if (!teamSettings) return skip(`team "${team}" is not in item-store.yaml`);
  if (tenant !== undefined && teamSettings.tenant !== tenant)
    return skip(`team "${team}" belongs to tenant ${teamSettings.tenant}, not ${tenant}`);
  if (segments.some((s) => s.startsWith('.') || s === ''))
    return skip('a path segment is empty or starts with "."');
  if (!CONFIG_EXTENSIONS.some((e) => file.endsWith(e))) return skip('not a .yaml, .yml or .json file');
  if (isTagsFile(file)) return skip('named like a tags file');
  const folders = segments.slice(1, -1);
  if (folders.length) {
    const folder = folders.join('/');
    const problem = tagValueProblem(folder) ?? (folder.includes(';') ? 'contains ";"' : undefined);
    if (problem) return skip(`its folders cannot be a tag value: ${problem}`);
    row.tags = { folder };
  }
  return row;
}

export function formatTagsCell(tags: Record<string, string>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(';');
}

export function renderFlags(rows: readonly FlagRow[]): string {
  return formatCsv([
    [...FLAGS_COLUMNS],
    ...rows.map((r) => [
      r.s3Key,
      r.team,
      r.namespace,
      formatTagsCell(r.tags),
      String(r.s3Only),
      r.action,
      r.note,
    ]),
  ]);
}

/** Reads a flags CSV, checking every row against item-store.yaml; returns rows and located problems. */
export function parseFlags(
  text: string,
  file: string,
  settings: Settings,
): { rows: FlagRow[]; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    const p = e as { message: string; line: number; column: number };
    return {
      rows: [],
      errors: [new ConfigError('flags-csv', p.message, { file, line: p.line, column: p.column })],
    };
  }
  const [header, ...body] = records;
  const want = FLAGS_COLUMNS.join(',');
  if (!header || header.fields.join(',') !== want) {
    return {
      rows: [],
      errors: [
        new ConfigError('flags-header', `the first line must be the header ${want}`, {
          file,
          line: header?.line ?? 1,
          column: 1,
        }),
      ],
    };
  }
  const rows: FlagRow[] = [];
  const seen = new Map<string, number>();
  for (const rec of body) {
    const at = (column: number): { file: string; line: number; column: number } => ({
      file,
      line: rec.line,
      column,
    });
    if (rec.fields.length !== FLAGS_COLUMNS.length) {
      errors.push(
        new ConfigError(
          'flags-row',
          `${rec.fields.length} fields; every row has ${FLAGS_COLUMNS.length} (${want})`,
          at(1),
        ),
      );
      continue;
    }
    const [s3Key, team, namespace, tagsCell, s3OnlyCell, action, note] = rec.fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const before = seen.get(s3Key);
    if (before !== undefined) {
      errors.push(new ConfigError('flags-duplicate', `${s3Key} is also on line ${before}`, at(1)));
      continue;
    }
    seen.set(s3Key, rec.line);
    if (action !== 'migrate' && action !== 'skip') {
      errors.push(new ConfigError('flags-action', `action must be migrate or skip, got "${action}"`, at(6)));
      continue;
    }
    if (s3OnlyCell !== 'true' && s3OnlyCell !== 'false') {
      errors.push(
        new ConfigError('flags-s3-only', `s3_only must be true or false, got "${s3OnlyCell}"`, at(5)),
      );
      continue;
    }
    const tags: Record<string, string> = {};
    let bad = false;
    for (const part of tagsCell.split(';').filter((p) => p.trim() !== '')) {
      const eq = part.indexOf('=');
      const k = eq < 0 ? part.trim() : part.slice(0, eq).trim();
      const v = eq < 0 ? '' : part.slice(eq + 1);
      const problem = eq < 0 ? `"${part}" is not key=value` : (tagKeyProblem(k) ?? tagValueProblem(v));
      if (problem) {
        errors.push(new ConfigError('flags-tags', `tags: ${problem}`, at(4)));
        bad = true;
      } else tags[k] = v;
    }
    if (bad) continue;
    const row: FlagRow = {
      s3Key,
      team,
      namespace,
      tags,
      s3Only: s3OnlyCell === 'true',
      action,
      note,
      line: rec.line,
    };
    if (action === 'migrate') {
      const t = settings.teams[team];
      if (!t || !Object.hasOwn(settings.teams, team)) {
        errors.push(
          new ConfigError(
            'flags-team',
            `team "${team}" is not in item-store.yaml; add it there or skip the row`,
            at(2),
          ),
        );
        continue;
      }
      if (namespace !== t.namespace) {
        errors.push(
          new ConfigError(
            'flags-namespace',
            `namespace "${namespace}" is not team ${team}'s namespace "${t.namespace}" (item-store.yaml sets it per team)`,
            at(3),
          ),
        );
        continue;
      }
      const name = configName(s3Key.slice(s3Key.lastIndexOf('/') + 1));
      const bySuffix = settings.s3OnlySuffixes.some((s) => name.endsWith(s));
      if (row.s3Only !== bySuffix) {
        errors.push(
          new ConfigError(
            'flags-s3-only',
            `s3_only is ${row.s3Only} but the name ${bySuffix ? 'ends' : 'does not end'} with an S3-only suffix (${settings.s3OnlySuffixes.join(', ')}); the repo decides S3-only by name, so rename the key or fix the flag`,
            at(5),
          ),
        );
        continue;
      }
    }
    rows.push(row);
  }
  return { rows, errors };
}
