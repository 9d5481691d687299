import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  actionsLogger,
  core,
  getBooleanInput,
  getInput,
  getIntegerInput,
  getRequiredInput,
  runAction,
  setOutputs,
  writeSummary,
} from '@itemstore/action-kit';
import { FsTree } from '@itemstore/config';
import { HttpItemStore, runUrlFromEnv } from '@itemstore/v2';
import { cleanupBranch, cleanupCountsLine, cleanupSummary } from '@itemstore/ops';

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
  const reportPath = join(
    process.env.RUNNER_TEMP || tmpdir(),
    `cleanup-branch-${randomBytes(4).toString('hex')}.json`,
  );
  await writeFile(reportPath, JSON.stringify(report, null, 2) + '\n');
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
