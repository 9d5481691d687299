import { resolve } from 'node:path';
import { Git, type ChangeEntry } from '@itemstore/core';
import { changeSummary, describe, detectChanges } from '@itemstore/changes';
import { stderr, stdout, terminalLogger } from '../io.js';
import { branchesOf } from '../git-refs.js';
import { RANGE_FLAGS, flags, parseCommand } from '../args.js';

const HELP = `Usage: itemstore detect [--repo DIR] [--base REV] [--head REV] [--branch B] [--json] [options]

Lists the configs that changed between two commits, the same code as the detect-changed-paths action.
  --repo DIR            the config repo root, the top of a git work tree or a folder in one (default: .)
  --base REV            compare with this commit or branch (the tree at REV with the tree at --head). Without it:
                        the merge base with the default branch, or every config when on the default branch
  --head REV            the commit whose changes to list (default: HEAD)
  --branch B            the branch name to report (default: the checked-out branch, case kept)
  --default-branch B    the branch to find the merge base with (default: origin's HEAD, else main)
  --paths GLOB          only paths matching (repeatable; !GLOB takes matches back out)
  --exclude GLOB        leave paths matching out (repeatable)
  --fetch               fetch missing commits from origin (a shallow clone is deepened as needed)
  --json                print the change manifest (JSON) instead of one line per path
  --summary             print the Markdown job summary instead of one line per path
Lines: A added, M modified, D deleted, R renamed, T type changed, C copied, = file unchanged but re-resolved (a
tags.yaml or item-store.yaml above it changed), * listed by a full listing (no earlier commit to compare with).`;

const LETTER: Record<ChangeEntry['status'], string> = {
  added: 'A',
  modified: 'M',
  deleted: 'D',
  renamed: 'R',
  'type-changed': 'T',
  copied: 'C',
  unchanged: '=',
};

export async function detectCommand(argv: string[]): Promise<number> {
  const values = parseCommand('detect', HELP, argv, {
    ...RANGE_FLAGS,
    ...flags({ repo: 'string', paths: 'strings', exclude: 'strings', fetch: 'boolean' }),
    ...flags({ json: 'boolean', summary: 'boolean' }),
  });
  if (!values) return 0;
  const directory = resolve(values.repo ?? '.');
  const { branch, defaultBranch } = await branchesOf(new Git(directory), values);
  const manifest = await detectChanges({
    directory,
    event: { eventName: 'local', payload: {}, ...(branch ? { ref: `refs/heads/${branch}` } : {}) },
    base: values.base,
    head: values.head,
    branch,
    defaultBranch,
    paths: values.paths,
    exclude: values.exclude,
    fetch: values.fetch ?? false,
    logger: terminalLogger,
  });
  if (values.json) {
    stdout(JSON.stringify(manifest, null, 2));
    return 0;
  }
  if (values.summary) {
    stdout(changeSummary(manifest).toMarkdown());
    return 0;
  }
  for (const e of manifest.entries) {
    const from = e.previousPath === undefined ? '' : `${show(e.previousPath)} -> `;
    const why = e.reason === 'changed' ? '' : `  (${e.reason === 'all' ? 'full listing' : e.reason})`;
    // A full listing is not "unchanged" (=): the configs are listed because there is nothing to compare with.
    const letter = e.reason === 'all' ? '*' : LETTER[e.status];
    stdout(`${letter}  ${from}${show(e.path)}${e.symlink ? '  (symlink)' : ''}${why}`);
  }
  const range = manifest.baseSha
    ? `${manifest.baseSha.slice(0, 12)}..${manifest.headSha.slice(0, 12)}`
    : `at ${manifest.headSha.slice(0, 12)}`;
  // The note (why a fallback happened) was already logged as it happened.
  stderr(`${describe(manifest)}, ${range}${manifest.branch ? ` on ${manifest.branch}` : ''}.`);
  return 0;
}

/** Names with quotes or control characters are printed JSON-quoted, so every path stays on one line. */
function show(path: string): string {
  const control = [...path].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f');
  return control || /["\\]/.test(path) || path !== path.trim() ? JSON.stringify(path) : path;
}
