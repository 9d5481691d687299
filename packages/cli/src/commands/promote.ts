import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { HttpItemStore, runUrlFromEnv } from '@itemstore/v2';
import {
  S3Reader,
  createProgress,
  promote,
  promoteLines,
  promoteSummary,
  s3SyncSwitch,
} from '@itemstore/ops';
import { stderr, stdout, terminalLogger } from '../io.js';
import { parseCommandArgs } from '../args.js';

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
  const { values } = parseCommandArgs('promote', argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    repo: { type: 'string' },
    paths: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    's3-sync': { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    endpoint: { type: 'string' },
    concurrency: { type: 'string' },
    report: { type: 'string' },
    summary: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    stdout(HELP);
    return 0;
  }
  if (!values.from || !values.to) throw new UsageError('--from ENV and --to ENV are both required.');
  const url = values.url ?? process.env.ITEMSTORE_URL;
  const token = values.token ?? process.env.ITEMSTORE_TOKEN;
  if (!url) throw new UsageError('--url URL (or ITEMSTORE_URL) is required: where Item Store V2 is.');
  if (!token) throw new UsageError('--token T (or ITEMSTORE_TOKEN) is required.');
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${values.concurrency}".`);
  }
  const s3 = s3SyncSwitch(values['s3-sync']);
  const paths = (values.paths ?? [])
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  const store = new HttpItemStore({ url, token, concurrency, logger: terminalLogger });
  const reader = new S3Reader({ ...(values.endpoint ? { endpoint: values.endpoint } : {}), concurrency });
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
    if (values.report) await writeFile(resolve(values.report), JSON.stringify(report, null, 2) + '\n');
    if (values.json) stdout(JSON.stringify(report, null, 2));
    else if (values.summary) stdout(promoteSummary(report).toMarkdown());
    else for (const line of promoteLines(report)) stdout(line);
    const c = report.counts;
    stderr(
      `promote ${report.from} → ${report.to}${report.dryRun ? ' (dry run)' : ''}: ${c.promoted} promoted, ${c.deleted} deleted, ` +
        `${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed` +
        (report.dryRun ? `, ${c.planned} planned` : `, ${report.unverified} not verified`) +
        `; S3 sync ${report.s3Sync ? 'on' : 'off'} (${s3.why})`,
    );
    return c.failed || report.unverified ? 1 : 0;
  } finally {
    reader.close();
  }
}
