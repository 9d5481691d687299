import { resolve } from 'node:path';
import { UsageError, createProgress, readResolvedManifest } from '@itemstore/core';
import { s3SyncSwitch } from '@itemstore/config';
import { syncCountsLine, syncLines, syncSummary, syncToS3, DEFAULT_CONCURRENCY } from '@itemstore/s3';
import { stderr, terminalLogger } from '../io.js';
import {
  OUTPUT_FLAGS,
  S3_FLAGS,
  deletionsFlag,
  endpointOf,
  flags,
  integerFlag,
  parseCommand,
  printReport,
  s3Overrides,
} from '../args.js';

const HELP = `Usage: itemstore sync-s3 [--repo DIR] [--environment ENV] [--manifest FILE | --full] [options]

Writes default/ configs to S3 (Item Store V0), the same code as the sync-s3 action. Compares the MD5 of what would
be written with each object's ETag (one listing per prefix) and uploads only what differs.
  --repo DIR            the config repo (default: the current directory, or the manifest's repo)
  --environment ENV     S3 environment: only the first one in item-store.yaml (the default); qa and prod
                        change only by promotion
  --manifest FILE       a resolved manifest (resolve-tags' output): its S3 entries only
  --full                every default/ config of --repo (the default when no --manifest is given)
  --bucket B            override the bucket from item-store.yaml
  --prefix P            override the key prefix
  --region R            override the AWS region
  --endpoint URL        an S3-compatible server (path-style), e.g. http://127.0.0.1:9000
  --dry-run             list and plan only; write nothing
  --deletions MODE      apply or skip. Default: apply with --manifest (keys of configs deleted in git),
                        skip with --full; --full --deletions apply deletes EVERY object under the prefix that no
                        config maps to, including objects others put there
  --allow-feature-branch  write S3 from a manifest of a branch other than mainBranch
  --s3-sync on|off      the S3 switch (default: ITEMSTORE_S3_SYNC, else on); off writes nothing and says what it
                        skipped; on cannot override ITEMSTORE_S3_SYNC=off
  --concurrency N       requests in flight (default ${DEFAULT_CONCURRENCY})
  --max-attempts N      attempts per request, with backoff (default 3)
  --report FILE         also write the JSON report here
  --summary             print the Markdown summary instead of one line per object
  --json                print the JSON report on stdout
Credentials come from the default AWS chain (environment, profile, SSO, instance role); they are never printed.`;

export async function syncS3Command(argv: string[]): Promise<number> {
  const values = parseCommand('sync-s3', HELP, argv, {
    ...flags({ repo: 'string', environment: 'string', manifest: 'string', full: 'boolean' }),
    ...flags({ 'dry-run': 'boolean', deletions: 'string', 'allow-feature-branch': 'boolean' }),
    ...flags({ 's3-sync': 'string', concurrency: 'string', 'max-attempts': 'string' }),
    ...S3_FLAGS,
    ...OUTPUT_FLAGS,
  });
  if (!values) return 0;
  if (values.manifest && values.full) throw new UsageError('Give --manifest FILE or --full, not both.');
  const deletions = deletionsFlag(values.deletions);
  const concurrency = integerFlag('--concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1, 256);
  const maxAttempts = integerFlag('--max-attempts', values['max-attempts'], 3, 1, 20);
  const manifest = values.manifest ? await readResolvedManifest(resolve(values.manifest)) : undefined;
  const repoDir = values.repo ? resolve(values.repo) : manifest ? undefined : process.cwd();
  const dryRun = Boolean(values['dry-run']);
  const s3Switch = s3SyncSwitch(values['s3-sync']);

  const { report } = await syncToS3({
    ...(manifest ? { manifest } : { full: true }),
    ...(repoDir ? { repoDir } : {}),
    ...(values.environment ? { environment: values.environment } : {}),
    overrides: s3Overrides(values),
    ...endpointOf(values),
    ...(deletions ? { deletions } : {}),
    allowFeatureBranch: Boolean(values['allow-feature-branch']),
    s3Switch,
    concurrency,
    maxAttempts,
    dryRun,
    logger: terminalLogger,
    progress: createProgress(),
  });
  await printReport(values, report, { summary: () => syncSummary(report), lines: () => syncLines(report) });
  stderr(syncCountsLine(report));
  return report.counts.failed ? 1 : 0;
}
