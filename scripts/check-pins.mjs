// Every `uses:` of a third-party action in .github/ and action-templates/ must be pinned to a full commit SHA with
// its version in a comment (`uses: actions/checkout@<40 hex> # v7.0.1`), and must not name a major release known
// to run on Node 20 or older (runners run those on Node 24 and annotate every job with a deprecation warning).
// A tag or a branch can be moved to other code (tj-actions/changed-files, CVE-2025-30066); a commit SHA cannot.
// Local actions (`./…`) are exempt; `docker://` images must be pinned by digest.
// Usage: node scripts/check-pins.mjs [--root DIR]   (also run by `npm run lint:workflows` and `npm test`)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The first major release of each action that runs on Node 24 (`runs.using: node24` in its action.yml), read from
 * the upstream repositories' tags. Any lower major runs on Node 20 or older. Composite wrappers are listed by the
 * first major whose inner action runs on Node 24.
 */
export const FIRST_NODE24_MAJOR = {
  'actions/checkout': 5,
  'actions/setup-node': 5,
  'actions/cache': 5,
  'actions/github-script': 8,
  'actions/upload-artifact': 6,
  'actions/download-artifact': 7,
  'actions/attest': 3,
  'actions/attest-build-provenance': 3,
  'aws-actions/configure-aws-credentials': 6,
};

const FULL_SHA = /^[0-9a-f]{40}$/;
const USES = /^\s*(?:-\s+)?uses:\s*(['"]?)([^'"#\s]+)\1\s*(?:#\s*(.*?))?\s*$/;

function yamlFiles(root, dir, out = []) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return out;
  for (const name of readdirSync(abs).sort()) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) yamlFiles(root, join(dir, name), out);
    else if (/\.ya?ml$/.test(name)) out.push(join(dir, name));
  }
  return out;
}

/** Checks one file's text; returns `path:line: problem` strings. */
export function checkPinsInText(text, path) {
  const problems = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    const m = USES.exec(line);
    if (!m) return;
    const value = m[2];
    const comment = m[3] ?? '';
    const at = `${path}:${i + 1}`;
    if (value.startsWith('./')) return;
    if (value.startsWith('docker://')) {
      if (!/@sha256:[0-9a-f]{64}$/.test(value))
        problems.push(`${at}: ${value} is not pinned by digest (@sha256:…)`);
      return;
    }
    const sep = value.lastIndexOf('@');
    if (sep < 0) {
      problems.push(`${at}: ${value} has no ref; pin it to a full commit SHA with the version in a comment`);
      return;
    }
    const name = value.slice(0, sep);
    const ref = value.slice(sep + 1);
    // owner/repo, or owner/repo/path for an action in a folder (or a reusable workflow).
    const action = name.split('/').slice(0, 2).join('/').toLowerCase();
    if (!FULL_SHA.test(ref)) {
      problems.push(
        `${at}: ${value} is pinned to "${ref}", not a full commit SHA; use ${name}@<40-hex SHA> # <version>`,
      );
      return;
    }
    const version = /^(v?\d+(?:\.\d+)*(?:[-+][0-9A-Za-z.-]+)?)\b/.exec(comment)?.[1];
    if (!version) {
      problems.push(
        `${at}: ${value} has no version comment; write "# v1.2.3" after the SHA (Dependabot keeps it)`,
      );
      return;
    }
    const first = FIRST_NODE24_MAJOR[action];
    const major = Number(/^v?(\d+)/.exec(version)?.[1]);
    if (first !== undefined && major < first) {
      problems.push(
        `${at}: ${name} ${version} runs on Node 20 or older; use v${first} or later (runs.using: node24)`,
      );
    }
  });
  return problems;
}

/** Checks every YAML file under .github/ and action-templates/ of `root`. */
export function checkPins(root) {
  const files = [...yamlFiles(root, '.github'), ...yamlFiles(root, 'action-templates')];
  const problems = [];
  for (const f of files) problems.push(...checkPinsInText(readFileSync(join(root, f), 'utf8'), f));
  return { files, problems };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const scriptRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const rootArg = process.argv.indexOf('--root');
  const root = rootArg > 0 ? resolve(process.argv[rootArg + 1]) : scriptRoot;
  const { files, problems } = checkPins(root);
  if (problems.length) {
    console.error(problems.join('\n'));
    console.error(`\naction pins: ${problems.length} problem(s) in ${relative(process.cwd(), root) || '.'}`);
    process.exit(1);
  }
  console.log(`action pins: every uses: in ${files.length} files is a full SHA at a Node 24 major`);
}
