import { resolve } from 'node:path';
import {
  actionsLogger,
  actionsProgress,
  core,
  getBooleanInput,
  getChoiceInput,
  getInput,
  getIntegerInput,
  runAction,
  setOutputs,
  writeReport,
  writeSummary,
  maskAwsCredentials,
  inRepoFolder,
} from '@itemstore/action-kit';
import { UsageError, readResolvedManifest } from '@itemstore/core';

export function run(): Promise<void> {
  return runAction('sync-s3', main);
}

async function main(): Promise<void> {
  // Credentials come from the default AWS chain; mask what the chain may read from the environment.
  maskAwsCredentials();
  const manifestPath = getInput('manifest');
  const full = getBooleanInput('full', false);
  if (Boolean(manifestPath) === full) {
    throw new UsageError('Give either the "manifest" input or "full: true", not both and not neither.');
  }
  const dryRun = getBooleanInput('dry-run', false);
  // Empty: apply with a manifest, skip with full (so a full sync never deletes unless asked to).
  const deletionsInput = getInput('deletions')
    ? getChoiceInput('deletions', ['apply', 'skip'] as const, 'apply')
    : undefined;
  const allowFeatureBranch = getBooleanInput('allow-feature-branch', false);
  // The config reader, S3 and the sync load once the first inputs are read: a step that fails on them does not pay.
  const [{ s3SyncSwitch }, { syncCountsLine, syncSummary, syncToS3 }] = await Promise.all([
    import('@itemstore/config'),
    import('@itemstore/s3'),
  ]);
  const s3Switch = s3SyncSwitch(getInput('s3-sync'));
  const concurrency = getIntegerInput('concurrency', 16, 1, 256);
  const maxAttempts = getIntegerInput('max-attempts', 3, 1, 20);
  const endpoint = getInput('endpoint');
  if (endpoint && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new UsageError(`Input "endpoint" must be an http(s) URL, got "${endpoint}".`);
  }
  const overrides = {
    ...(getInput('bucket') ? { bucket: getInput('bucket') } : {}),
    ...(getInput('prefix') ? { prefix: getInput('prefix') } : {}),
    ...(getInput('region') ? { region: getInput('region') } : {}),
  };
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const workingDirectory = getInput('working-directory') || '.';

  const manifest = manifestPath ? await readResolvedManifest(resolve(workspace, manifestPath)) : undefined;
  const folder = manifest ? manifest.workingDirectory : workingDirectory;
  const branch = process.env.GITHUB_REF_TYPE === 'branch' ? process.env.GITHUB_REF_NAME : undefined;
  const { report } = await syncToS3({
    ...(manifest ? { manifest } : { full: true, repoDir: resolve(workspace, workingDirectory) }),
    ...(full && branch ? { branch } : {}),
    environment: getInput('environment'),
    overrides,
    ...(endpoint ? { endpoint } : {}),
    maxAttempts,
    concurrency,
    dryRun,
    ...(deletionsInput ? { deletions: deletionsInput } : {}),
    allowFeatureBranch,
    s3Switch,
    logger: actionsLogger,
    progress: actionsProgress(),
  }).catch((err: unknown) => {
    throw inRepoFolder(err, folder);
  });

  const reportPath = await writeReport(`sync-s3-${report.environment}`, report);
  const c = report.counts;
  setOutputs({
    report: reportPath,
    ran: report.ran,
    uploaded: c.uploaded,
    unchanged: c.unchanged,
    deleted: c.deleted,
    kept: c.kept,
    failed: c.failed,
  });
  await writeSummary(syncSummary(report));
  if (report.ran) core.info(`${syncCountsLine(report)}.`);
  if (c.failed) {
    core.setFailed(
      `sync-s3: ${c.failed} S3 object(s) could not be written or deleted; the others were. See the summary for each error.`,
    );
  }
}
