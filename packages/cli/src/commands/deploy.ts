import { resolve } from 'node:path';
import {
  Git,
  UsageError,
  configRootOf,
  createProgress,
  readResolvedManifest,
  type ResolvedManifest,
} from '@itemstore/core';
import { FsTree, allConfigsManifest, gateDeployEnvironment, loadSettings } from '@itemstore/config';
import { toV2Json } from '@itemstore/convert';
import {
  HttpItemStore,
  deployCountsLine,
  deployLines,
  deploySummary,
  deployToV2,
  gitIsAncestor,
} from '@itemstore/v2';
import { stderr, terminalLogger } from '../io.js';
import {
  OUTPUT_FLAGS,
  V2_FLAGS,
  flags,
  deletionsFlag,
  integerFlag,
  parseCommand,
  printReport,
  v2Connection,
} from '../args.js';
import { checkedRepo } from '../git-refs.js';

const HELP = `Usage: itemstore deploy --url URL [--token T] [--repo DIR] [--manifest FILE] [options]

Writes configs to Item Store V2, the same code as the deploy-item-store-v2 action.
  --repo DIR          the config repo (default: the current directory)
  --url URL           Item Store V2 base URL (or ITEMSTORE_URL)
  --token T           bearer token (or ITEMSTORE_TOKEN, which keeps it out of the process list)
  --manifest FILE     a resolved manifest (resolve-tags' output); without it, every config of --repo is deployed
  --branch B          branch for the branch tag (default: the checked-out branch); only without --manifest
  --environment ENV   V2 environment: only the first one in item-store.yaml (the default); qa and prod
                      change only by promotion
  --dry-run           plan only: print what would change, with diffs; write nothing
  --deletions MODE    apply (default) or skip: tombstones for configs deleted in git
  --prune             without --manifest on the main branch: also tombstone the items of main that no config
                      maps to (orphans; listed in every such run, tombstoned only with --prune)
  --concurrency N     requests in flight (default 8)
  --report FILE       also write the JSON report here
  --summary           print the Markdown summary instead of one line per item
  --json              print the JSON report on stdout
  --allow-dirty       deploy from a checkout with uncommitted changes (each version then records dirty: "true");
                      without it such a deploy is refused, since the content would be recorded under HEAD's commit`;

export async function deployCommand(argv: string[]): Promise<number> {
  const values = parseCommand('deploy', HELP, argv, {
    ...flags({ repo: 'string', manifest: 'string', branch: 'string', environment: 'string' }),
    ...flags({ 'dry-run': 'boolean', deletions: 'string', prune: 'boolean', concurrency: 'string' }),
    ...flags({ 'allow-dirty': 'boolean' }),
    ...V2_FLAGS,
    ...OUTPUT_FLAGS,
  });
  if (!values) return 0;
  const { url, token } = v2Connection(values);
  const deletions = deletionsFlag(values.deletions) ?? 'apply';
  const concurrency = integerFlag('--concurrency', values.concurrency, 8, 1, 64);
  const repo = resolve(values.repo ?? '.');
  if (!values.manifest) await checkedRepo(repo);

  const progress = createProgress();
  let manifest: ResolvedManifest;
  if (values.manifest) manifest = await readResolvedManifest(resolve(values.manifest));
  else {
    // Refuse a wrong environment before the work of resolving every config (and before any progress line).
    gateDeployEnvironment(await loadSettings(new FsTree(repo)), values.environment);
    const reading = progress.start('deploy: resolving every config of the checkout');
    manifest = await manifestOfWholeRepo(repo, values.branch).finally(() => reading.done());
  }
  const tree = new FsTree(configRootOf(manifest));
  const settings = await loadSettings(tree);
  const environment = gateDeployEnvironment(settings, values.environment);
  const store = new HttpItemStore({ url, token, concurrency, logger: terminalLogger });
  const dryRun = Boolean(values['dry-run']);
  // The checkout's state (git status) is asked while the configs are read and converted; deployToV2 waits for it
  // before its first request, and a refusal comes first, as when it was asked before the configs were read.
  const dirty = dryRun
    ? false
    : (async () => {
        const changed = await (await checkedRepo(configRootOf(manifest))).uncommittedFiles();
        if (changed.length && !values['allow-dirty']) {
          throw new UsageError(
            `The checkout has uncommitted changes (${changed.length} file${changed.length === 1 ? '' : 's'}, e.g. ${changed[0]}), which would be recorded under commit ${manifest.headSha.slice(0, 12)}: commit them first, or pass --allow-dirty to record dirty: "true" on each version.`,
          );
        }
        if (changed.length)
          stderr(`deploy: ${changed.length} uncommitted file(s); each version records dirty: "true".`);
        return changed.length > 0;
      })();
  if (typeof dirty !== 'boolean') dirty.catch(() => {}); // deployToV2 awaits it (and fails with its error)
  const { plan, report } = await deployToV2(manifest, {
    store,
    environment,
    dryRun,
    deletions,
    concurrency,
    isAncestor: gitIsAncestor(manifest.repoRoot, { logger: terminalLogger, head: manifest.headSha }),
    convert: toV2Json,
    tree,
    maxBytes: settings.maxConfigBytes,
    dirty,
    orphans: { prune: Boolean(values.prune) },
    logger: terminalLogger,
    progress,
  });
  await printReport(values, report, {
    summary: () => deploySummary(report, { notForV2: plan.notForV2 }),
    lines: () => [
      ...deployLines(report),
      ...(dryRun ? report.entries.flatMap((e) => (e.diff ? [e.diff] : [])) : []),
    ],
  });
  stderr(deployCountsLine(report, store.requestCount));
  return report.counts.failed ? 1 : 0;
}

/** Every config of the checkout as an "all" manifest: what a first push or a full redeploy writes. */
async function manifestOfWholeRepo(
  repo: string,
  branchOption: string | undefined,
): Promise<ResolvedManifest> {
  const tree = new FsTree(repo);
  const settings = await loadSettings(tree);
  const git = new Git(repo);
  const headSha = (await git.textOrUndefined(['rev-parse', 'HEAD'])) ?? 'working-tree';
  const branch =
    branchOption ?? (await git.textOrUndefined(['rev-parse', '--abbrev-ref', 'HEAD'])) ?? settings.mainBranch;
  if (branch === 'HEAD') {
    throw new UsageError(
      'The checkout is on a detached HEAD; pass --branch to say which branch to deploy as.',
    );
  }
  return allConfigsManifest(tree, settings, {
    branch,
    headSha,
    event: 'cli',
    note: 'itemstore deploy without --manifest: every config of the checkout',
    logger: terminalLogger,
  });
}
