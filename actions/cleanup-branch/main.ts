import { resolve } from 'node:path';
import {
  actionsLogger,
  core,
  getBooleanInput,
  getInput,
  getIntegerInput,
  getRequiredInput,
  runAction,
  setOutputs,
  writeReport,
  writeSummary,
} from '@itemstore/action-kit';

export function run(): Promise<void> {
  return runAction('cleanup-branch', main);
}

async function main(): Promise<void> {
  const token = getRequiredInput('item-store-token');
  core.setSecret(token);
  const url = getRequiredInput('item-store-url');
  const dryRun = getBooleanInput('dry-run', false);
  const concurrency = getIntegerInput('concurrency', 8, 1, 64);
  const environment = getInput('environment');
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  // The store client and the cleanup load once the inputs are read: a step that fails on them does not pay.
  const [{ FsTree }, { HttpItemStore, runUrlFromEnv }, { cleanupBranch, cleanupCountsLine, cleanupSummary }] =
    await Promise.all([import('@itemstore/config'), import('@itemstore/v2'), import('@itemstore/ops')]);
  const runUrl = runUrlFromEnv();
  const report = await cleanupBranch({
    tree: new FsTree(resolve(workspace, getInput('working-directory') || '.')),
    // Not getRequiredInput: an empty name gets the gate's sentence (what it would have tombstoned and why not).
    branch: getInput('branch'),
    ...(environment ? { environment } : {}),
    dryRun,
    store: new HttpItemStore({ url, token, concurrency, logger: actionsLogger }),
    concurrency,
    logger: actionsLogger,
    ...(runUrl ? { runUrl } : {}),
  });
  const reportPath = await writeReport('cleanup-branch', report);
  const c = report.counts;
  setOutputs({
    report: reportPath,
    deleted: dryRun ? c.planned : c.deleted,
    'already-deleted': report.alreadyDeleted,
    failed: c.failed,
  });
  await writeSummary(cleanupSummary(report));
  core.info(cleanupCountsLine(report));
  if (c.failed)
    core.setFailed(`cleanup-branch: ${c.failed} item(s) could not be tombstoned; see the summary.`);
}
