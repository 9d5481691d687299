import { resolve } from 'node:path';
import { UsageError, createProgress } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { HttpItemStore, runUrlFromEnv } from '@itemstore/v2';
import {
  S3Reader,
  promote,
  promoteLines,
  promoteCountsLine,
  promoteSummary,
  s3SyncSwitch,
} from '@itemstore/ops';
import { stderr, terminalLogger } from '../io.js';
import {
  OUTPUT_FLAGS,
  V2_FLAGS,
  endpointOf,
  flags,
  integerFlag,
  listFlag,
  parseCommand,
  printReport,
  v2Connection,
} from '../args.js';

const HELP = `Usage: itemstore promote --from ENV --to ENV [--repo DIR] [options]

Copies main's versions from one environment to the next one in item-store.yaml's order (dev → qa, qa → prod; a skip
is refused); the same code as the promote action, replacing the Jenkins promote jobs. V2 items through the promote
call; S3 objects copied from the from-environment's bucket/prefix to the to-environment's while S3 sync is on;
configs with an S3-only suffix (_SC) go to S3 only. Verified afterwards (MD5 equal on both sides).
  --from ENV, --to ENV  the environments (to must be the one right after from)
  --repo DIR            the config repo checked out at main (default: the current directory)
  --paths P             only these configs or folders (repeatable or comma-separated)
  --dry-run             plan only: list what would be promoted; write nothing
  --s3-sync on|off      the S3 switch (default: ITEMSTORE_S3_SYNC, else on); off writes no S3 object at all
  --url URL, --token T  Item Store V2 (or ITEMSTORE_URL / ITEMSTORE_TOKEN)
  --endpoint URL        an S3-compatible server (path-style)
  --concurrency N       requests in flight (default 8)
  --report FILE         also write the JSON report here
  --summary             print the Markdown summary
  --json                print the JSON report on stdout
Exit: 0 promoted (or nothing to do), 1 a promotion failed or could not be verified, 2 bad usage.`;

export async function promoteCommand(argv: string[]): Promise<number> {
  const values = parseCommand('promote', HELP, argv, {
    ...flags({ from: 'string', to: 'string', repo: 'string', paths: 'strings', 'dry-run': 'boolean' }),
    ...flags({ 's3-sync': 'string', endpoint: 'string', concurrency: 'string' }),
    ...V2_FLAGS,
    ...OUTPUT_FLAGS,
  });
  if (!values) return 0;
  if (!values.from || !values.to) throw new UsageError('--from ENV and --to ENV are both required.');
  const { url, token } = v2Connection(values);
  const concurrency = integerFlag('--concurrency', values.concurrency, 8, 1, 64);
  const s3 = s3SyncSwitch(values['s3-sync']);
  const paths = listFlag(values.paths);
  const store = new HttpItemStore({ url, token, concurrency, logger: terminalLogger });
  const reader = new S3Reader({ ...endpointOf(values), concurrency });
  try {
    const report = await promote({
      tree: new FsTree(resolve(values.repo ?? '.')),
      from: values.from,
      to: values.to,
      ...(paths.length ? { paths } : {}),
      dryRun: Boolean(values['dry-run']),
      s3Sync: s3.on,
      s3Note: s3.why,
      store,
      reader,
      clientFor: reader.clientFor,
      concurrency,
      logger: terminalLogger,
      progress: createProgress(),
      ...(runUrlFromEnv() ? { runUrl: runUrlFromEnv() as string } : {}),
    });
    await printReport(values, report, {
      summary: () => promoteSummary(report),
      lines: () => promoteLines(report),
    });
    const c = report.counts;
    stderr(`${promoteCountsLine(report)}; S3 sync ${report.s3Sync ? 'on' : 'off'} (${s3.why})`);
    return c.failed || report.unverified ? 1 : 0;
  } finally {
    reader.close();
  }
}
