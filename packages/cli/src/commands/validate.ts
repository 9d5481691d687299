import { resolve } from 'node:path';
import { UsageError, createProgress } from '@itemstore/core';
import { FsTree, loadSettings, resolveS3Location, s3SyncSwitch } from '@itemstore/config';
import { HttpItemStore, runUrlFromEnv } from '@itemstore/v2';
import {
  S3Reader,
  applyFix,
  fixPlanLines,
  fixSummary,
  planFix,
  validate,
  validateCountsLine,
  validateLines,
  validateSummary,
  withoutPayload,
  type Against,
  type FixSource,
} from '@itemstore/ops';
import { stderr, stdout, terminalLogger } from '../io.js';
import {
  OUTPUT_FLAGS,
  S3_FLAGS,
  V2_FLAGS,
  endpointOf,
  flags,
  integerFlag,
  listFlag,
  parseCommand,
  s3Overrides,
  v2Connection,
  writeReportFile as writeReport,
} from '../args.js';

const HELP = `Usage: itemstore validate [--repo DIR] [--environment ENV] [--against repo|s3-vs-v2] [options]

Drift report between the repo (main's configs), Item Store V2 and S3 for one environment; the same code as the
validate action. One status per config, environment and store: in-sync, awaiting-promotion (a version the pipeline
wrote that a newer one in the environment before supersedes: not drift), edited-outside (content no pipeline write
produced, told by the audit trail), missing, orphan. Only edited-outside, missing and orphan are drift.
  --repo DIR            the config repo, checked out at main (default: the current directory)
  --environment ENV     default: the first environment of item-store.yaml
  --against MODE        repo (default): MD5s from listings only (V2 manifest, S3 ETags) against what the repo
                        would write; s3-vs-v2: S3 against V2 as JSON values (legacy multi-document = its config_list)
  --read-all            s3-vs-v2: download every pair, even when both sides equal the repo's bytes
  --paths P             only these configs or folders (repeatable or comma-separated); orphans are then not looked for
  --url URL             Item Store V2 base URL (or ITEMSTORE_URL)
  --token T             bearer token (or ITEMSTORE_TOKEN, which keeps it out of the process list)
  --endpoint URL        an S3-compatible server (path-style); --bucket, --prefix, --region override item-store.yaml
  --fail-on-drift B     true (default): exit 1 when drift remains; false: exit 0
  --s3-sync on|off      the S3 switch (default: ITEMSTORE_S3_SYNC, else on); off validates V2 alone, with no S3
                        request (no AWS credentials needed), and a fix writes no S3 object
  --fix                 repair the drift of ENV only (never a row awaiting promotion): in the first environment write --source's content to V2; in qa or prod
                        promote the previous environment's version (refused unless it holds the source's
                        content); with --source repo also re-upload drifted S3 objects of ENV while S3 sync is on;
                        with --source s3 also write the repo files it took from S3 (as YAML 1.2 meaning what 1.1
                        readers of S3 read), so git and V2 agree: commit them
  --source S            s3 or repo: the source of truth for --fix (required with --fix)
  --prune               with --fix: also delete orphans (V2: a tombstone in every environment; S3: the object)
  --yes                 apply the fix; without it the plan is printed and nothing changes
  --concurrency N       requests in flight (default 16)
  --report FILE         also write the JSON report here
  --all                 also list in-sync rows
  --summary             print the Markdown summary
  --json                print the JSON report on stdout
Exit: 0 no drift (rows awaiting promotion are reported, not drift; or a fix plan printed without --yes), 1 drift
(with --fail-on-drift true), 2 bad usage.`;

export async function validateCommand(argv: string[]): Promise<number> {
  const values = parseCommand('validate', HELP, argv, {
    ...flags({ repo: 'string', environment: 'string', against: 'string', 'read-all': 'boolean' }),
    ...flags({ paths: 'strings', 'fail-on-drift': 'string', 's3-sync': 'string', fix: 'boolean' }),
    ...flags({ source: 'string', prune: 'boolean', yes: 'boolean', concurrency: 'string', all: 'boolean' }),
    ...V2_FLAGS,
    ...S3_FLAGS,
    ...OUTPUT_FLAGS,
  });
  if (!values) return 0;
  const against = (values.against ?? 'repo') as Against;
  if (against !== 'repo' && against !== 's3-vs-v2') {
    throw new UsageError(`--against must be repo or s3-vs-v2, got "${values.against}".`);
  }
  const failOnDrift = booleanFlag('--fail-on-drift', values['fail-on-drift'], true);
  const s3Switch = s3SyncSwitch(values['s3-sync']);
  const source = values.source as FixSource | undefined;
  if (values.fix && source !== 's3' && source !== 'repo') {
    throw new UsageError('--fix needs --source s3 or --source repo: which side is the source of truth.');
  }
  if (!values.fix && (values.source || values.prune || values.yes)) {
    throw new UsageError('--source, --prune and --yes only make sense with --fix.');
  }
  const concurrency = integerFlag('--concurrency', values.concurrency, 16, 1, 256);
  const { url, token } = v2Connection(values);
  const paths = listFlag(values.paths);

  const tree = new FsTree(resolve(values.repo ?? '.'));
  const settings = await loadSettings(tree);
  const overrides = s3Overrides(values);
  const store = new HttpItemStore({ url, token, concurrency, logger: terminalLogger });
  const reader = new S3Reader({ ...endpointOf(values), concurrency });
  const progress = createProgress();
  const run = () =>
    validate({
      tree,
      settings,
      ...(values.environment ? { environment: values.environment } : {}),
      against,
      store,
      s3: { reader, locationOf: (tenant, env) => resolveS3Location(settings, tenant, env, overrides) },
      ...(paths.length ? { paths } : {}),
      readAll: Boolean(values['read-all']),
      concurrency,
      logger: terminalLogger,
      progress,
      v2Requests: () => store.requestCount,
      s3Switch,
    });
  try {
    let validated = await run();
    const print = (): void => {
      const { report } = validated;
      if (values.json) stdout(JSON.stringify(report, null, 2));
      else if (values.summary) stdout(validateSummary(report).toMarkdown());
      else for (const line of validateLines(report, { all: Boolean(values.all) })) stdout(line);
      stderr(validateCountsLine(validated.report));
    };
    print();
    if (values.fix && validated.report.drifted > 0) {
      const plan = await planFix(validated, {
        source: source as FixSource,
        prune: Boolean(values.prune),
        reader,
        repoTree: tree,
      });
      stderr(
        `fix from ${plan.source}${values.yes ? '' : ' (plan only, nothing written)'}: ${plan.actions.length} action(s), ${plan.unfixable.length} drifted row(s) it cannot fix`,
      );
      for (const line of fixPlanLines(plan, { would: !values.yes })) stderr(`  ${line}`);
      if (!values.yes) {
        stderr('nothing changed; rerun with --yes to apply this plan.');
        await writeReport(values.report, {
          validate: validated.report,
          fix: { plan: { ...plan, actions: plan.actions.map(withoutPayload) }, applied: false },
        });
        return 0;
      }
      const results = await applyFix(plan, {
        store,
        clientFor: reader.clientFor,
        concurrency,
        logger: terminalLogger,
        progress,
        repoDir: tree.root,
        ...(runUrlFromEnv() ? { runUrl: runUrlFromEnv() as string } : {}),
      });
      if (values.summary) stdout(fixSummary(plan, results).toMarkdown());
      const failed = results.filter((r) => r.outcome === 'failed').length;
      stderr(
        `fix: ${results.filter((r) => r.outcome === 'done').length} done, ${failed} failed; validating again`,
      );
      const before = validated.report;
      validated = await run();
      print();
      await writeReport(values.report, {
        validate: validated.report,
        before,
        fix: { plan: { ...plan, actions: plan.actions.map(withoutPayload) }, results },
      });
      if (failed) return 1;
    } else {
      await writeReport(values.report, validated.report);
    }
    return failOnDrift && validated.report.drifted > 0 ? 1 : 0;
  } finally {
    reader.close();
  }
}

function booleanFlag(flag: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (['true', 'yes', 'on', '1'].includes(value.toLowerCase())) return true;
  if (['false', 'no', 'off', '0'].includes(value.toLowerCase())) return false;
  throw new UsageError(`${flag} must be true or false, got "${value}".`);
}
