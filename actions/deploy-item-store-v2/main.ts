import {
  actionsLogger,
  actionsProgress,
  core,
  getBooleanInput,
  getChoiceInput,
  getInput,
  getIntegerInput,
  getRequiredInput,
  runAction,
  setOutputs,
  writeReport,
  writeSummary,
  inRepoFolder,
} from '@itemstore/action-kit';
import { UsageError, configRootOf, readResolvedManifest } from '@itemstore/core';

export function run(): Promise<void> {
  // The config repo's folder in the git repository, once the manifest is read.
  const repo = { workingDirectory: '' };
  return runAction('deploy-item-store-v2', async () => {
    try {
      await deploy(repo);
    } catch (err) {
      throw inRepoFolder(err, repo.workingDirectory);
    }
  });
}

async function deploy(repo: { workingDirectory: string }): Promise<void> {
  // Every input is read and checked before anything else happens; the token is masked first of all.
  const token = getInput('item-store-token');
  if (token) core.setSecret(token);
  const manifestPath = getRequiredInput('manifest');
  const url = getInput('item-store-url');
  const dryRun = getBooleanInput('dry-run', false);
  const deletions = getChoiceInput('deletions', ['apply', 'skip'] as const, 'apply');
  const prune = getBooleanInput('prune', false);
  const concurrency = getIntegerInput('concurrency', 8, 1, 64);
  const timeoutSeconds = getIntegerInput('timeout-seconds', 30, 1, 600);
  if (!dryRun && (!url || !token)) {
    throw new UsageError(
      'Inputs "item-store-url" and "item-store-token" are required unless dry-run is true.',
    );
  }
  if (url && !token)
    throw new UsageError('Input "item-store-token" is required when "item-store-url" is set.');

  const manifest = await readResolvedManifest(manifestPath);
  repo.workingDirectory = manifest.workingDirectory;
  // The config reader, the converter and the store client load once the inputs and the manifest are read: a step
  // that fails on them does not pay.
  const [{ FsTree, gateDeployEnvironment, loadSettings }, { toV2Json }, v2] = await Promise.all([
    import('@itemstore/config'),
    import('@itemstore/convert'),
    import('@itemstore/v2'),
  ]);
  const {
    HttpItemStore,
    deployCountsLine,
    deploySummary,
    deployToV2,
    gitIsAncestor,
    prepareDeploy,
    runUrlFromEnv,
    validationSummary,
  } = v2;
  const tree = new FsTree(configRootOf(manifest));
  const settings = await loadSettings(tree);
  const environment = gateDeployEnvironment(settings, getInput('environment'));
  const maxBytes = settings.maxConfigBytes;

  if (!url) {
    // A pull request from a fork has no secrets: validate every config, compare nothing.
    const { prepared, notForV2 } = await prepareDeploy(manifest, { convert: toV2Json, tree, maxBytes });
    await writeSummary(validationSummary(prepared, environment, notForV2));
    setOutputs({
      report: '',
      created: 0,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      stale: 0,
      skipped: 0,
      failed: 0,
    });
    return;
  }

  const store = new HttpItemStore({
    url,
    token,
    concurrency,
    timeoutMs: timeoutSeconds * 1000,
    logger: actionsLogger,
  });
  const { plan, report } = await deployToV2(manifest, {
    store,
    environment,
    dryRun,
    deletions,
    concurrency,
    isAncestor: gitIsAncestor(manifest.repoRoot, { logger: actionsLogger, head: manifest.headSha }),
    convert: toV2Json,
    tree,
    maxBytes,
    orphans: { prune },
    logger: actionsLogger,
    progress: actionsProgress(),
    ...(runUrlFromEnv() ? { runUrl: runUrlFromEnv() as string } : {}),
  });
  const reportPath = await writeReport(`deploy-item-store-v2-${environment}`, report);
  const c = report.counts;
  setOutputs({
    report: reportPath,
    created: c.created,
    updated: c.updated,
    unchanged: c.unchanged,
    deleted: c.deleted,
    stale: c.stale,
    skipped: c.skipped,
    failed: c.failed,
  });
  await writeSummary(deploySummary(report, { notForV2: plan.notForV2 }));
  core.info(`${deployCountsLine(report, store.requestCount)}.`);
  if (c.failed) {
    core.setFailed(
      `deploy-item-store-v2: ${c.failed} of ${report.entries.length} item(s) could not be written; the others were. See the summary for each error.`,
    );
  }
}
