// Writes each action's inputs/outputs tables into README.md between the markers
//   <!-- action-docs:<name> --> ... <!-- /action-docs:<name> -->
// from actions/<name>/action.yml. `--check` fails when README.md is not what this would write.
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');

const cell = (s) =>
  String(s ?? '')
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');

export function actionTables(name) {
  const doc = parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8'));
  const lines = [`${cell(doc.description)}`, ''];
  const inputs = Object.entries(doc.inputs ?? {});
  if (inputs.length) {
    lines.push('| input | required | default | description |', '| --- | --- | --- | --- |');
    for (const [k, v] of inputs) {
      const def = v.default === undefined ? '' : v.default === '' ? '(empty)' : `\`${cell(v.default)}\``;
      lines.push(`| \`${k}\` | ${v.required ? 'yes' : 'no'} | ${def} | ${cell(v.description)} |`);
    }
    lines.push('');
  }
  const outputs = Object.entries(doc.outputs ?? {});
  if (outputs.length) {
    lines.push('| output | description |', '| --- | --- |');
    for (const [k, v] of outputs) lines.push(`| \`${k}\` | ${cell(v.description)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

export function renderReadme(text) {
  const names = readdirSync(join(root, 'actions')).filter((n) =>
    existsSync(join(root, 'actions', n, 'action.yml')),
  );
  let out = text;
  const missing = [];
  for (const name of names.sort()) {
    const re = new RegExp(`(<!-- action-docs:${name} -->\\n)[\\s\\S]*?(<!-- /action-docs:${name} -->)`);
    if (!re.test(out)) {
      missing.push(name);
      continue;
    }
    out = out.replace(re, (_m, a, b) => `${a}${actionTables(name)}${b}`);
  }
  return { text: out, missing };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = readFileSync(readmePath, 'utf8');
  const { text, missing } = renderReadme(current);
  if (missing.length) {
    console.error(`README.md has no section markers for: ${missing.join(', ')}`);
    process.exit(1);
  }
  if (process.argv.includes('--check')) {
    if (text !== current) {
      console.error('README.md action tables differ from action.yml: run `node scripts/readme-actions.mjs`.');
      process.exit(1);
    }
    console.log('README action tables match action.yml');
  } else {
    writeFileSync(readmePath, text);
    console.log('README action tables written');
  }
}
