import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { UsageError } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { HttpItemStore, runUrlFromEnv } from '@itemstore/v2';
import { cleanupBranch, cleanupCountsLine, cleanupLines, cleanupSummary } from '@itemstore/ops';
import { stderr, stdout, terminalLogger } from '../io.js';
import { flagHint } from '../args.js';

const HELP = `Usage: itemstore cleanup-branch <branch> [--repo DIR] [options]

Tombstones every item of a deleted feature branch (the items tagged branch=<branch>) in V2's deploy environment
(the first of item-store.yaml), the same code as the cleanup-branch action that cleanup-branch.yaml runs on GitHub's
delete event. Main's items (no branch tag) are never touched, S3 is never touched (it has no branches), and the
main branch's name or an empty name is refused.
  <branch>            the deleted branch's name, exactly (branch names are case-sensitive)
  --repo DIR          the config repo, main checked out (default: the current directory): item-store.yaml gives
                      the namespaces to look in and the deploy environment
  --environment ENV   only the deploy environment (the default) is allowed
  --dry-run           list the items that would be tombstoned; write nothing
  --url URL           Item Store V2 base URL (or ITEMSTORE_URL)
  --token T           bearer token (or ITEMSTORE_TOKEN); a branch token (scope write:dev:branch) is enough
  --concurrency N     requests in flight (default 8)
  --report FILE       also write the JSON report here
  --summary           print the Markdown summary instead of one line per item
  --json              print the JSON report on stdout
Exit: 0 done (or nothing to do), 1 a tombstone could not be written, 2 bad usage or refused.`;

export async function cleanupBranchCommand(argv: string[]): Promise<number> {
  const options = {
    repo: { type: 'string' },
    environment: { type: 'string' },
    'dry-run': { type: 'boolean' },
    url: { type: 'string' },
    token: { type: 'string' },
    concurrency: { type: 'string' },
    report: { type: 'string' },
    summary: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    const message = (err as Error).message.replace(/\.?$/, '.');
    throw new UsageError(`${message}${flagHint(err, options)} (see itemstore cleanup-branch --help).`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    stdout(HELP);
    return 0;
  }
  if (positionals.length > 1) {
    throw new UsageError('Give exactly one branch name (see itemstore cleanup-branch --help).');
  }
  const url = values.url ?? process.env.ITEMSTORE_URL;
  const token = values.token ?? process.env.ITEMSTORE_TOKEN;
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${values.concurrency}".`);
  }
  if (!url) throw new UsageError('--url URL (or ITEMSTORE_URL) is required: where Item Store V2 is.');
  if (!token) throw new UsageError('--token T (or ITEMSTORE_TOKEN) is required.');
  const runUrl = runUrlFromEnv();
  const report = await cleanupBranch({
    tree: new FsTree(resolve(values.repo ?? '.')),
    // The gate refuses an empty name with its own sentence.
    branch: positionals[0] ?? '',
    ...(values.environment ? { environment: values.environment } : {}),
    dryRun: Boolean(values['dry-run']),
    store: new HttpItemStore({ url, token, concurrency, logger: terminalLogger }),
    concurrency,
    logger: terminalLogger,
    ...(runUrl ? { runUrl } : {}),
  });
  if (values.report) await writeFile(resolve(values.report), JSON.stringify(report, null, 2) + '\n');
  if (values.json) stdout(JSON.stringify(report, null, 2));
  else if (values.summary) stdout(cleanupSummary(report).toMarkdown());
  else for (const line of cleanupLines(report)) stdout(line);
  stderr(cleanupCountsLine(report));
  return report.counts.failed ? 1 : 0;
}
