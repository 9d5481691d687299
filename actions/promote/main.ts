import { resolve } from 'node:path';
import {
  actionsLogger,
  actionsProgress,
  core,
  getBooleanInput,
  getInput,
  getIntegerInput,
  getListInput,
  getRequiredInput,
  runAction,
  setOutputs,
  writeReport,
  writeSummary,
  maskAwsCredentials,
} from '@itemstore/action-kit';
import { UsageError } from '@itemstore/core';

export function run(): Promise<void> {
  return runAction('promote', main);
}

async function main(): Promise<void> {
  const token = getRequiredInput('item-store-token');
  core.setSecret(token);
  // Credentials come from the default AWS chain; mask what the chain may read from the environment.
  maskAwsCredentials();
  const url = getRequiredInput('item-store-url');
  const from = getRequiredInput('from');
  const to = getRequiredInput('to');
  const dryRun = getBooleanInput('dry-run', false);
  // The store client, S3 and the promotion load once the inputs are read: a step that fails on them does not pay.
  const [{ FsTree }, { HttpItemStore, runUrlFromEnv }, ops] = await Promise.all([
    import('@itemstore/config'),
    import('@itemstore/v2'),
    import('@itemstore/ops'),
  ]);
  const { S3Reader, promote, promoteCountsLine, promoteSummary, s3SyncSwitch } = ops;
  const s3 = s3SyncSwitch(getInput('s3-sync'));
  const paths = getListInput('paths');
  const concurrency = getIntegerInput('concurrency', 8, 1, 64);
  const endpoint = getInput('endpoint');
  if (endpoint && !/^https?:\/\/\S+$/.test(endpoint)) {
    throw new UsageError(`Input "endpoint" must be an http(s) URL, got "${endpoint}".`);
  }
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const store = new HttpItemStore({ url, token, concurrency, logger: actionsLogger });
  const reader = new S3Reader({ ...(endpoint ? { endpoint } : {}), concurrency });
  try {
    const runUrl = runUrlFromEnv();
    const report = await promote({
      tree: new FsTree(resolve(workspace, getInput('working-directory') || '.')),
      from,
      to,
      ...(paths.length ? { paths } : {}),
      dryRun,
      s3Sync: s3.on,
      s3Note: s3.why,
      store,
      reader,
      clientFor: reader.clientFor,
      concurrency,
      logger: actionsLogger,
      progress: actionsProgress(),
      ...(runUrl ? { runUrl } : {}),
    });
    const reportPath = await writeReport(`promote-${from}-${to}`, report);
    const c = report.counts;
    setOutputs({
      report: reportPath,
      promoted: dryRun ? c.planned : c.promoted,
      deleted: c.deleted,
      unchanged: c.unchanged,
      skipped: c.skipped,
      failed: c.failed,
      unverified: report.unverified,
    });
    await writeSummary(promoteSummary(report));
    core.info(`${promoteCountsLine(report)}; S3 sync ${s3.on ? 'on' : 'off'} (${s3.why}).`);
    if (c.failed) core.setFailed(`promote: ${c.failed} item(s) could not be promoted; see the summary.`);
    else if (report.unverified) {
      core.setFailed(
        `promote: ${report.unverified} item(s) do not hold ${from}'s MD5 in ${to} after promotion.`,
      );
    }
  } finally {
    reader.close();
  }
}
