import { resolve } from 'node:path';
import { ConfigError, UsageError, configRootOf, createProgress } from '@itemstore/core';
import { deployEnvironmentOf, formatTags, FsTree, knownEnvironment, loadSettings } from '@itemstore/config';
import { detectChanges } from '@itemstore/changes';
import { openTrees, resolveManifest, resolveSummary } from '@itemstore/resolve';
import { toV2Json } from '@itemstore/convert';
import { HttpItemStore, deployLines, deployToV2, gitIsAncestor } from '@itemstore/v2';
import { stderr, stdout, terminalLogger } from '../io.js';
import { branchesOf, checkedRepo } from '../git-refs.js';
import { RANGE_FLAGS, V2_FLAGS, flags, parseCommand, v2Connection } from '../args.js';

const HELP = `Usage: itemstore plan [--repo DIR] [--base REV] [--head REV] [--branch B] [--url URL --token T] [options]

What a push of this checkout would do, the same code as the pull-request plan: detect what changed (against the
merge base with the default branch unless --base is given), resolve each config's identity before and after,
check that every config converts and, with --url, compare with Item Store V2 and show a diff per item. Writes
nothing. Exit 1 when a config has problems.
  --repo DIR            the config repo root (default: .)
  --base REV            compare with this commit (default: the merge base with the default branch)
  --head REV            the commit to plan (default: HEAD; configs are read from the working tree)
  --branch B            the branch the items belong to (default: the checked-out branch, case kept)
  --default-branch B    the branch to find the merge base with (default: origin's HEAD, else main)
  --url URL             Item Store V2 base URL (or ITEMSTORE_URL); without it the plan stays offline
  --token T             bearer token (or ITEMSTORE_TOKEN)
  --environment ENV     V2 environment to compare with (default: the first one in item-store.yaml)
  --summary             print the Markdown summaries instead of lines
  --json                print {"manifest": …, "report": …} (the resolved manifest and, with --url, the dry-run
                        report) as JSON on stdout; problems and the totals still go to stderr`;

export async function planCommand(argv: string[]): Promise<number> {
  const values = parseCommand('plan', HELP, argv, {
    ...RANGE_FLAGS,
    ...V2_FLAGS,
    ...flags({ repo: 'string', environment: 'string', summary: 'boolean', json: 'boolean' }),
  });
  if (!values) return 0;
  const directory = resolve(values.repo ?? '.');
  const { branch, defaultBranch } = await branchesOf(await checkedRepo(directory), values);
  if (!branch)
    throw new UsageError('the checkout is on a detached HEAD; pass --branch to say which branch to plan.');

  const progress = createProgress();
  const reading = progress.start('plan: detecting and resolving the changes');
  const changes = await detectChanges({
    directory,
    event: { eventName: 'local', payload: {}, ref: `refs/heads/${branch}` },
    base: values.base,
    head: values.head,
    branch,
    defaultBranch,
    fetch: false,
    logger: terminalLogger,
  }).catch((err: unknown) => {
    reading.done();
    throw err;
  });
  const { head, base, close, checked } = await openTrees(changes, terminalLogger).catch((err: unknown) => {
    reading.done();
    throw err;
  });
  let resolved;
  try {
    resolved = await resolveManifest(changes, { head, base, branch, logger: terminalLogger, checked });
  } finally {
    close();
    reading.done();
  }
  const problems = resolved.errors.map((e) => ConfigError.fromJSON(e));
  for (const p of problems) stderr(`${p.severity}: ${p.toString()}`);
  const errors = problems.filter((p) => p.severity === 'error').length;

  if (values.summary) stdout(resolveSummary(resolved).toMarkdown());
  else if (values.json) {
    // printed once at the end (with the report when there is one)
  } else {
    for (const e of resolved.entries) {
      const why = e.why ? `  (${e.why})` : '';
      stdout(
        `${e.action.padEnd(6)}  ${e.path}  ${e.namespace} {${formatTags(e.tags)}} → ${e.targets.join('+')}${why}`,
      );
    }
  }
  stderr(
    `plan: ${resolved.entries.length} entries on ${branch}${resolved.isMainBranch ? ' (main branch)' : ''}` +
      (changes.baseSha ? ` since ${changes.baseSha.slice(0, 12)}` : ' (every config: no base)') +
      (errors ? `; ${errors} error${errors === 1 ? '' : 's'}` : ''),
  );
  if (errors) {
    if (values.json) stdout(JSON.stringify({ manifest: resolved }, null, 2));
    return 1;
  }

  if (!(values.url ?? process.env.ITEMSTORE_URL)) {
    if (values.json) stdout(JSON.stringify({ manifest: resolved }, null, 2));
    return 0;
  }
  const { url, token } = v2Connection(values, ' with --url');
  const tree = new FsTree(configRootOf(resolved));
  const settings = await loadSettings(tree);
  const environment = knownEnvironment(settings, values.environment || deployEnvironmentOf(settings));
  const store = new HttpItemStore({ url, token, logger: terminalLogger });
  const { report } = await deployToV2(resolved, {
    store,
    environment,
    dryRun: true,
    deletions: 'apply',
    concurrency: 8,
    isAncestor: gitIsAncestor(resolved.repoRoot, { logger: terminalLogger }),
    convert: toV2Json,
    tree,
    maxBytes: settings.maxConfigBytes,
    logger: terminalLogger,
    progress,
  });
  if (values.json) stdout(JSON.stringify({ manifest: resolved, report }, null, 2));
  else {
    for (const line of deployLines(report)) stdout(line);
    for (const e of report.entries) if (e.diff) stdout(e.diff);
  }
  return report.counts.failed ? 1 : 0;
}
