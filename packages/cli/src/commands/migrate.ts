import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '@itemstore/core';
import { normalizePrefix } from '@itemstore/s3';
import { HttpItemStore } from '@itemstore/v2';
import {
  MIGRATE_STEPS,
  MirrorReader,
  S3Reader,
  createProgress,
  migrate,
  validateCountsLine,
  validateLines,
  type MigrateStep,
  type ObjectReader,
} from '@itemstore/ops';
import { stderr, stdout, terminalLogger } from '../io.js';
import { parseCommandArgs } from '../args.js';

const HELP = `Usage: itemstore migrate --repo DIR (--from s3://BUCKET/PREFIX | --from-dir DIR) [options]

Moves configs from S3 (Item Store V0) into the config repo and Item Store V2, in the meeting's steps:
  1. flags   the flags table (CSV: s3_key, team, namespace, tags, s3_only, action, note), a draft derived from
             the paths; when the file exists it is the source of truth (edit tags, set action=skip)
  2. files   the configs in the repo layout (<team>/default/<rest>; legacy multi-document DQ files become one
             config_list document) and generated tags.yaml files. Objects are read as their YAML 1.1 readers
             read them: a scalar YAML 1.2 reads differently (yes, on, 0755, 1:30, 1_000, 2001-12-14) is written
             as its YAML 1.1 value (true, 493, 90, 1000, "2001-12-14") and listed
  3. load    the configs into V2 for each environment (the deploy code: unchanged items are not written)
  4. validate  the source against V2 as JSON values, per environment
A second run changes nothing.
  --repo DIR            the config repo (with item-store.yaml listing the teams)
  --from s3://B/P       the source bucket and prefix (--region R, --endpoint URL for an S3-compatible server)
  --from-dir DIR        a local mirror of the prefix instead (e.g. made by aws s3 sync), so thousands of objects
                        are read without a request each; --bucket B and --prefix P name the keys in the table
  --flags FILE          the flags table (default: <repo>/.itemstore/migration-flags.csv)
  --environments LIST   V2 environments to load, comma-separated (default: all of item-store.yaml)
  --steps LIST          which steps to run (default: flags,files,load,validate); e.g. --steps flags for a draft
  --url URL, --token T  Item Store V2 (or ITEMSTORE_URL / ITEMSTORE_TOKEN); needed for load and validate
  --concurrency N       requests in flight (default 8)
  --report FILE         also write the JSON report here
  --json                print the JSON report on stdout
Exit: 0 migrated and in sync, 1 drift after loading, 2 bad usage.`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('migrate', argv, {
    repo: { type: 'string' },
    from: { type: 'string' },
    'from-dir': { type: 'string' },
    bucket: { type: 'string' },
    prefix: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    flags: { type: 'string' },
    environments: { type: 'string' },
    steps: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    concurrency: { type: 'string' },
    report: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    stdout(HELP);
    return 0;
  }
  if (!values.repo) throw new UsageError('--repo DIR is required: the config repo to migrate into.');
  if (Boolean(values.from) === Boolean(values['from-dir'])) {
    throw new UsageError('Give the source as --from s3://BUCKET/PREFIX or --from-dir DIR (one of them).');
  }
  const steps = (values.steps ?? MIGRATE_STEPS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as MigrateStep[];
  for (const s of steps) {
    if (!(MIGRATE_STEPS as readonly string[]).includes(s)) {
      throw new UsageError(`--steps: "${s}" is not a step; the steps are ${MIGRATE_STEPS.join(', ')}.`);
    }
  }
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${values.concurrency}".`);
  }
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  let location;
  let reader: ObjectReader;
  let s3Reader: S3Reader | undefined;
  if (values.from) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(values.from);
    if (!m) throw new UsageError(`--from must look like s3://bucket/prefix/, got "${values.from}".`);
    location = { bucket: m[1] as string, prefix: normalizePrefix(m[2] ?? ''), region };
    s3Reader = new S3Reader({ ...(values.endpoint ? { endpoint: values.endpoint } : {}), concurrency });
    reader = s3Reader;
  } else {
    location = { bucket: values.bucket ?? 'mirror', prefix: normalizePrefix(values.prefix ?? ''), region };
    reader = new MirrorReader(values['from-dir'] as string);
  }
  const needsStore = steps.includes('load') || steps.includes('validate');
  const url = values.url ?? process.env.ITEMSTORE_URL;
  const token = values.token ?? process.env.ITEMSTORE_TOKEN;
  if (needsStore && (!url || !token)) {
    throw new UsageError(
      '--url and --token (or ITEMSTORE_URL / ITEMSTORE_TOKEN) are needed to load and validate; use --steps flags,files without them.',
    );
  }
  const store = needsStore
    ? new HttpItemStore({ url: url as string, token: token as string, concurrency, logger: terminalLogger })
    : undefined;
  try {
    const report = await migrate({
      repoDir: resolve(values.repo),
      location,
      reader,
      ...(values.flags ? { flagsFile: resolve(values.flags) } : {}),
      ...(values.environments
        ? {
            environments: values.environments
              .split(',')
              .map((e) => e.trim())
              .filter(Boolean),
          }
        : {}),
      ...(store ? { store } : {}),
      steps,
      concurrency,
      logger: terminalLogger,
      progress: createProgress(),
    });
    if (values.report) await writeFile(resolve(values.report), JSON.stringify(report, null, 2) + '\n');
    if (values.json) stdout(JSON.stringify(report, null, 2));
    else {
      const f = report.flags;
      stdout(
        `flags: ${f.file} (${f.state}): ${f.migrate} to migrate, ${f.skip} skipped${f.appended.length ? `, ${f.appended.length} new key(s) appended` : ''}`,
      );
      if (report.files) {
        stdout(`files: ${report.files.written.length} written, ${report.files.unchanged.length} unchanged`);
        const r = report.files.rewritten;
        if (r.length) {
          stdout(
            `YAML 1.1 scalars written as their YAML 1.1 value (what legacy readers of S3 got): ${r.length}`,
          );
          for (const x of r) {
            stdout(
              `  ${x.s3Key}:${x.line}:${x.column}: ${x.from} → ${x.to} (${x.path})${x.note ? `; ${x.note}` : ''}`,
            );
          }
        }
      }
      for (const l of report.load ?? []) {
        const c = l.counts;
        stdout(
          `load V2 ${l.environment}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.failed} failed`,
        );
      }
      for (const v of report.validate ?? []) {
        stdout(validateCountsLine(v));
        for (const line of validateLines(v)) stdout(`  ${line}`);
      }
    }
    const failed = (report.load ?? []).some((l) => l.counts.failed > 0);
    const drifted = (report.validate ?? []).some((v) => v.drifted > 0);
    if (drifted) stderr('migrate: validation found drift; see the rows above.');
    return failed || drifted ? 1 : 0;
  } finally {
    s3Reader?.close();
  }
}
