import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import itemStoreSchema from '../../../../schemas/item-store.schema.json' with { type: 'json' };
import tagsSchema from '../../../../schemas/tags.schema.json' with { type: 'json' };
import { flags, parseCommand } from '../args.js';
import { stdout } from '../io.js';

const HELP = `Usage: itemstore init [--repo DIR]

Copies the JSON Schemas of item-store.yaml and tags.yaml into the config repo (.itemstore/schemas/), so editors
autocomplete and check them without reaching this suite's repository (a private repo's raw URLs need a token),
and maps them in .vscode/settings.json when that file does not exist yet. Run it again after upgrading the suite:
it rewrites the schemas and leaves every other file alone.
  --repo DIR   the config repo (default: the current directory)`;

/** Where the schemas go, relative to the config repo root (a dot folder: never a config). */
export const SCHEMA_DIR = '.itemstore/schemas';

/** The editor line for the top of item-store.yaml (the path is relative to the file, so it works offline). */
export const SETTINGS_MODELINE = `# yaml-language-server: $schema=./${SCHEMA_DIR}/item-store.schema.json`;

/** The editor line for a tags.yaml `depth` folders below the repo root. */
export function tagsModeline(depth: number): string {
  return `# yaml-language-server: $schema=${'../'.repeat(depth) || './'}${SCHEMA_DIR}/tags.schema.json`;
}

const VSCODE_SETTINGS = {
  'yaml.schemas': {
    [`./${SCHEMA_DIR}/item-store.schema.json`]: 'item-store.yaml',
    [`./${SCHEMA_DIR}/tags.schema.json`]: ['**/tags.yaml', '**/tags.yml'],
  },
};

export async function initCommand(argv: string[]): Promise<number> {
  const values = parseCommand('init', HELP, argv, flags({ repo: 'string' }));
  if (!values) return 0;
  const root = resolve(values.repo ?? '.');
  const lines: string[] = [];
  for (const [name, schema] of [
    ['item-store.schema.json', itemStoreSchema],
    ['tags.schema.json', tagsSchema],
  ] as const) {
    const file = join(root, SCHEMA_DIR, name);
    const text = JSON.stringify(schema, null, 2) + '\n';
    const before = await readFile(file, 'utf8').catch(() => undefined);
    if (before === text) {
      lines.push(`unchanged  ${SCHEMA_DIR}/${name}`);
      continue;
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    lines.push(`${before === undefined ? 'created' : 'updated'}    ${SCHEMA_DIR}/${name}`);
  }
  const vscode = join(root, '.vscode', 'settings.json');
  const existing = await readFile(vscode, 'utf8').catch(() => undefined);
  if (existing === undefined) {
    await mkdir(dirname(vscode), { recursive: true });
    await writeFile(vscode, JSON.stringify(VSCODE_SETTINGS, null, 2) + '\n');
    lines.push('created    .vscode/settings.json (yaml.schemas for the Red Hat YAML extension)');
  } else if (!existing.includes(SCHEMA_DIR)) {
    lines.push(
      'kept       .vscode/settings.json (it exists): add this to it, or use the modelines below',
      JSON.stringify(VSCODE_SETTINGS, null, 2),
    );
  }
  lines.push(
    '',
    'Editor lines (first line of the file), for editors that read yaml-language-server modelines:',
    `  item-store.yaml:   ${SETTINGS_MODELINE}`,
    `  <team>/tags.yaml:  ${tagsModeline(1)}`,
    'Commit .itemstore/schemas/ (and .vscode/settings.json) to the config repo.',
  );
  stdout(lines.join('\n'));
  return 0;
}
