import { resolve } from 'node:path';
import {
  actionsLogger,
  actionsProgress,
  core,
  getBooleanInput,
  getChoiceInput,
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
import type { FixResult } from '@itemstore/ops';

export function run(): Promise<void> {
  return runAction('validate', main);
}

async function main(): Promise<void> {
  // Every input is read and checked before anything else; secrets are masked first.
  const token = getRequiredInput('item-store-token');
  core.setSecret(token);
  // Credentials come from the default AWS chain; mask what the chain may read from the environment.
  maskAwsCredentials();
  const url = getRequiredInput('item-store-url');
  const against = getChoiceInput('against', ['repo', 's3-vs-v2'] as const, 'repo');
  const failOnDrift = getBooleanInput('fail-on-drift', true);
  // The config reader, the store client, S3 and the comparison load once the first inputs are read: a step that
  // fails on them does not pay.
  const [{ FsTree, loadSettings, resolveS3Location, s3SyncSwitch }, { HttpItemStore, runUrlFromEnv }, ops] =
    await Promise.all([import('@itemstore/config'), import('@itemstore/v2'), import('@itemstore/ops')]);
  const {
    DRIFT_STATUSES,
    S3Reader,
    applyFix,
    isDrift,
    fixSummary,
    planFix,
    validate,
    validateCountsLine,
    validateSummary,
  } = ops;
  const s3Switch = s3SyncSwitch(getInput('s3-sync'));
  const readAll = getBooleanInput('read-all', false);
  const fix = getBooleanInput('fix', false);
  const source = getInput('source') ? getChoiceInput('source', ['s3', 'repo'] as const, 'repo') : undefined;
  const prune = getBooleanInput('prune', false);
  if (fix && !source) throw new UsageError('Input "source" (s3 or repo) is required when "fix" is true.');
  const concurrency = getIntegerInput('concurrency', 16, 1, 256);
  const paths = getListInput('paths');
  const endpoint = getInput('endpoint');
  if (endpoint && !/^https?:\/\/\S+$/.test(endpoint)) {
    throw new UsageError(`Input "endpoint" must be an http(s) URL, got "${endpoint}".`);
  }
  const overrides = {
    ...(getInput('bucket') ? { bucket: getInput('bucket') } : {}),
    ...(getInput('prefix') ? { prefix: getInput('prefix') } : {}),
    ...(getInput('region') ? { region: getInput('region') } : {}),
  };
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const tree = new FsTree(resolve(workspace, getInput('working-directory') || '.'));
  const settings = await loadSettings(tree);

  const store = new HttpItemStore({ url, token, concurrency, logger: actionsLogger });
  const reader = new S3Reader({ ...(endpoint ? { endpoint } : {}), concurrency });
  const progress = actionsProgress();
  const run = () =>
    validate({
      tree,
      settings,
      environment: getInput('environment'),
      against,
      store,
      s3: { reader, locationOf: (tenant, env) => resolveS3Location(settings, tenant, env, overrides) },
      ...(paths.length ? { paths } : {}),
      readAll,
      concurrency,
      logger: actionsLogger,
      progress,
      v2Requests: () => store.requestCount,
      s3Switch,
    });
  try {
    let validated = await run();
    core.info(validateCountsLine(validated.report));
    let results: FixResult[] | undefined;
    let summary = validateSummary(validated.report);
    if (fix && validated.report.drifted > 0) {
      // --source s3 also writes the repo files it took from S3 into the checkout (a later step can commit them).
      const plan = await planFix(validated, {
        source: source as 's3' | 'repo',
        prune,
        reader,
        repoTree: tree,
      });
      const runUrl = runUrlFromEnv();
      results = await applyFix(plan, {
        store,
        clientFor: reader.clientFor,
        concurrency,
        logger: actionsLogger,
        progress,
        repoDir: tree.root,
        ...(runUrl ? { runUrl } : {}),
      });
      summary.raw(fixSummary(plan, results).toMarkdown());
      validated = await run();
      core.info(`after the fix: ${validateCountsLine(validated.report)}`);
      summary = summary.heading('After the fix', 3).raw(validateSummary(validated.report).toMarkdown());
    }
    const { report } = validated;
    const reportPath = await writeReport(
      `validate-${report.environment}`,
      results ? { ...report, fix: results } : report,
    );
    setOutputs({
      report: reportPath,
      environment: report.environment,
      'in-sync': report.inSync,
      drifted: report.drifted,
      'awaiting-promotion': report.awaiting,
      counts: JSON.stringify(report.counts),
      fixed: results ? results.filter((r) => r.outcome === 'done').length : 0,
    });
    await writeSummary(summary);
    const failedFixes = results?.filter((r) => r.outcome === 'failed').length ?? 0;
    if (failedFixes) core.setFailed(`validate: ${failedFixes} fix action(s) failed; see the summary.`);
    else if (failOnDrift && report.drifted > 0) {
      const parts = DRIFT_STATUSES.filter((s) => isDrift(s) && report.counts[s] > 0).map(
        (s) => `${report.counts[s]} ${s}`,
      );
      core.setFailed(
        `validate: ${report.drifted} item(s) drifted in ${report.environment} (${parts.join(', ')}); see the summary.`,
      );
    }
  } finally {
    reader.close();
  }
}
