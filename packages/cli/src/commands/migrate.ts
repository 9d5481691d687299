import { relative, resolve } from 'node:path';
import { UsageError, createProgress } from '@itemstore/core';
import { HttpItemStore } from '@itemstore/v2';
import { FsTree, loadSettings, normalizePrefix, resolveS3Location, type Settings } from '@itemstore/config';
import {
  MIGRATE_STEPS,
  MirrorReader,
  checkEnvironment,
  type EnvironmentSource,
  type MigrateOptions,
  type MigrateReport,
  S3Reader,
  migrate,
  validateCountsLine,
  validateLines,
  type MigrateStep,
} from '@itemstore/ops';
import { stderr, stdout, terminalLogger } from '../io.js';
import {
  S3_FLAGS,
  V2_FLAGS,
  endpointOf,
  flags,
  integerFlag,
  listFlag,
  parseCommand,
  writeReportFile,
} from '../args.js';

const HELP = `Usage: itemstore migrate --repo DIR [--from s3://BUCKET/PREFIX | --from-dir [ENV=]DIR ...] [options]

Moves configs from S3 (Item Store V0) into the config repo and Item Store V2, in the meeting's steps:
  1. flags   the flags table (CSV: s3_key, team, namespace, tags, s3_only, action, note), a draft derived from
             the paths; when the file exists it is the source of truth (edit tags, set action=skip). Keys whose
             content differs between the environments' buckets are noted in it
  2. files   the configs in the repo layout (<team>/default/<rest>; legacy multi-document DQ files become one
             config_list document) and generated tags.yaml files, from --repo-from's bucket. Objects are read as
             their YAML 1.1 readers read them: a scalar YAML 1.2 reads differently (yes, on, 0755, 1:30, 1_000,
             2001-12-14) is written as its YAML 1.1 value (true, 493, 90, 1000, "2001-12-14") and listed
  3. load    V2 environment E from S3 environment E (the deploy code: unchanged items are not written)
  4. validate  each V2 environment against its own bucket, as JSON values
Without --from or --from-dir, each environment's bucket and prefix come from item-store.yaml, for each tenant.
A second run changes nothing.
  --repo DIR            the config repo (with item-store.yaml listing the teams)
  --repo-from ENV       the environment whose content the repo's files get (default: prod)
  --from s3://B/P       one source for every environment (--region R, --endpoint URL for an S3-compatible server)
  --from-dir DIR        a local mirror of one prefix instead (e.g. made by aws s3 sync), so thousands of objects
                        are read without a request each; --bucket B and --prefix P name the keys in the table
  --from-dir ENV=DIR    a local mirror per environment (repeat it for each); keys named as in item-store.yaml
  --tenant T            only this tenant's buckets (default: every tenant, each with its own flags table)
  --paths P             only the configs at these repo paths or below these folders (repeatable, comma-separated)
  --overwrite P         replace these repo files or folders even when they changed since migrate wrote them; by
                        default such files (and files migrate never wrote) are kept and listed, and V2 still gets
                        the S3 content (.itemstore/migration-files.json records what migrate wrote)
  --flags FILE          the flags table of the one source (default: <repo>/.itemstore/migration-flags.csv)
  --flags TENANT=FILE   each tenant's own flags table (repeat it; default with several tenants:
                        <repo>/.itemstore/migration-flags-<tenant>.csv); a table never serves two sources
  --environments LIST   V2 environments to load, comma-separated (default: all of item-store.yaml)
  --steps LIST          which steps to run (default: flags,files,load,validate); e.g. --steps flags for a draft
  --url URL, --token T  Item Store V2 (or ITEMSTORE_URL / ITEMSTORE_TOKEN); needed for load and validate
  --concurrency N       requests in flight (default 8)
  --report FILE         also write the JSON report here
  --json                print the JSON report on stdout
Exit: 0 migrated and in sync, 1 drift after loading, 2 bad usage.`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const values = parseCommand('migrate', HELP, argv, {
    ...flags({ repo: 'string', from: 'string', 'from-dir': 'strings', 'repo-from': 'string' }),
    ...flags({ paths: 'strings', overwrite: 'strings', tenant: 'string', flags: 'strings' }),
    ...flags({ environments: 'string', steps: 'string', concurrency: 'string' }),
    ...flags({ report: 'string', json: 'boolean' }),
    ...S3_FLAGS,
    ...V2_FLAGS,
  });
  if (!values) return 0;
  if (!values.repo) throw new UsageError('--repo DIR is required: the config repo to migrate into.');
  const fromDirs = values['from-dir'] ?? [];
  if (values.from && fromDirs.length) {
    throw new UsageError('Give one kind of source: --from s3://BUCKET/PREFIX or --from-dir, not both.');
  }
  const perEnvDirs = fromDirs.filter((d) => /^[A-Za-z0-9_-]+=/.test(d));
  if (perEnvDirs.length && perEnvDirs.length !== fromDirs.length) {
    throw new UsageError('--from-dir takes either one DIR, or ENV=DIR for each environment (not a mix).');
  }
  if (fromDirs.length > 1 && !perEnvDirs.length) {
    throw new UsageError('--from-dir DIR can be given once; for one mirror per environment write ENV=DIR.');
  }
  const steps = listFlag(values.steps ?? MIGRATE_STEPS.join(',')) as MigrateStep[];
  for (const s of steps) {
    if (!(MIGRATE_STEPS as readonly string[]).includes(s)) {
      throw new UsageError(`--steps: "${s}" is not a step; the steps are ${MIGRATE_STEPS.join(', ')}.`);
    }
  }
  const concurrency = integerFlag('--concurrency', values.concurrency, 8, 1, 64);
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const repoDir = resolve(values.repo);
  const settings = await loadSettings(new FsTree(repoDir));
  // One run per source: one location for every environment, or each tenant's bucket per environment.
  const runs: Pick<MigrateOptions, 'location' | 'reader' | 'sources' | 'tenant'>[] = [];
  let s3Reader: S3Reader | undefined;
  const s3 = () => (s3Reader ??= new S3Reader({ ...endpointOf(values), concurrency }));
  if (values.from) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(values.from);
    if (!m) throw new UsageError(`--from must look like s3://bucket/prefix/, got "${values.from}".`);
    const location = { bucket: m[1] as string, prefix: normalizePrefix(m[2] ?? ''), region };
    runs.push({ location, reader: s3(), ...tenantOf(settings, location.bucket, values.tenant) });
  } else if (fromDirs.length && !perEnvDirs.length) {
    const location = {
      bucket: values.bucket ?? 'mirror',
      prefix: normalizePrefix(values.prefix ?? ''),
      region,
    };
    runs.push({
      location,
      reader: new MirrorReader(fromDirs[0] as string),
      ...(values.tenant ? { tenant: values.tenant } : {}),
    });
  } else {
    const dirs = new Map(
      perEnvDirs.map((d) => {
        const i = d.indexOf('=');
        return [checkEnvironment(settings, d.slice(0, i), '--from-dir environment'), d.slice(i + 1)] as const;
      }),
    );
    const tenants = Object.keys(settings.tenants).filter((t) => !values.tenant || t === values.tenant);
    if (!tenants.length)
      throw new UsageError(`--tenant ${values.tenant} is not a tenant of item-store.yaml.`);
    for (const tenant of tenants) {
      if (!Object.values(settings.teams).some((t) => t.tenant === tenant)) continue;
      const sources: EnvironmentSource[] = [];
      for (const environment of settings.environments) {
        if (dirs.size && !dirs.has(environment)) continue;
        const location = resolveS3Location(settings, tenant, environment);
        const dir = dirs.get(environment);
        sources.push({ environment, location, reader: dir ? new MirrorReader(dir) : s3() });
      }
      runs.push({ sources, tenant });
    }
  }
  const flagsOf = flagsFiles(values.flags ?? [], settings, runs);
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
  let code = 0;
  try {
    for (const run of runs) {
      const report = await migrate({
        repoDir,
        ...run,
        ...(values['repo-from'] ? { repoFrom: values['repo-from'] } : {}),
        ...(values.paths ? { paths: repoPaths(values.paths) } : {}),
        ...(values.overwrite ? { overwrite: repoPaths(values.overwrite) } : {}),
        ...(flagsOf(run.tenant) ? { flagsFile: flagsOf(run.tenant) as string } : {}),
        ...(values.environments ? { environments: listFlag(values.environments) } : {}),
        ...(store ? { store } : {}),
        steps,
        concurrency,
        logger: terminalLogger,
        progress: createProgress(),
      });
      code = Math.max(
        code,
        await printReport(repoDir, report, values, runs.length > 1 ? run.tenant : undefined),
      );
    }
    return code;
  } finally {
    s3Reader?.close();
  }
}

/**
 * `--flags FILE` (one source) or `--flags TENANT=FILE` (each tenant's own table): which table each run reads. A
 * table is keyed by its source's S3 keys, so one file for two sources would turn every key of the first into "not
 * in the source any more" for the second: refused before anything is read.
 */
function flagsFiles(
  given: string[],
  settings: Settings,
  runs: Pick<MigrateOptions, 'tenant'>[],
): (tenant: string | undefined) => string | undefined {
  const byTenant = new Map<string, string>();
  let single: string | undefined;
  for (const g of given) {
    const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(g);
    if (m && Object.hasOwn(settings.tenants, m[1] as string)) {
      const tenant = m[1] as string;
      if (byTenant.has(tenant)) throw new UsageError(`--flags ${tenant}=… is given twice.`);
      if (!runs.some((r) => r.tenant === tenant)) {
        throw new UsageError(
          `--flags ${g}: this run migrates no source of tenant ${tenant} (${
            runs
              .map((r) => r.tenant)
              .filter(Boolean)
              .join(', ') || 'one source without a tenant'
          }).`,
        );
      }
      byTenant.set(tenant, resolve(m[2] as string));
    } else {
      if (single !== undefined || byTenant.size) {
        throw new UsageError(
          '--flags FILE names the table of the one source; for several tenants write --flags TENANT=FILE for each.',
        );
      }
      single = resolve(g);
    }
  }
  if (single !== undefined && byTenant.size) {
    throw new UsageError('--flags takes either one FILE, or TENANT=FILE for each tenant (not a mix).');
  }
  if (single !== undefined && runs.length > 1) {
    throw new UsageError(
      `--flags ${given[0]}: this run migrates ${runs.length} tenants (${runs.map((r) => r.tenant).join(', ')}), each with its own flags table; write --flags TENANT=FILE for each, or choose one with --tenant.`,
    );
  }
  const files = [...byTenant.values()];
  const shared = files.find((f, i) => files.indexOf(f) !== i);
  if (shared) {
    throw new UsageError(
      `--flags: ${shared} is given to two tenants; each source needs its own flags table (its rows are that source's S3 keys).`,
    );
  }
  return (tenant) => single ?? (tenant ? byTenant.get(tenant) : undefined);
}

/** --paths and --overwrite: repo paths, a leading ./ dropped. */
function repoPaths(values: string[]): string[] {
  return listFlag(values)
    .map((v) => v.replace(/^\.\//, ''))
    .filter(Boolean);
}

/** The tenant whose buckets include this one (its flags table and teams), or the one named. */
function tenantOf(settings: Settings, bucket: string, named: string | undefined): { tenant?: string } {
  if (named) return { tenant: named };
  const hit = Object.entries(settings.tenants).find(([, t]) =>
    Object.values(t.s3 ?? {}).some((l) => l?.bucket === bucket),
  );
  return hit ? { tenant: hit[0] } : {};
}

async function printReport(
  repoDir: string,
  report: MigrateReport,
  values: { report?: string | undefined; json?: boolean | undefined },
  tenant: string | undefined,
): Promise<number> {
  const reportFile =
    values.report && tenant ? values.report.replace(/(\.json)?$/, `-${tenant}$1`) : values.report;
  await writeReportFile(reportFile, report);
  if (values.json) stdout(JSON.stringify(report, null, 2));
  else {
    if (tenant) stdout(`tenant ${tenant}:`);
    for (const s of report.sources ?? []) {
      stdout(
        `source ${s.environment}: ${s.source}${s.environment === report.repoFrom ? ' (the repo files)' : ''}`,
      );
    }
    const f = report.flags;
    const inRepo = relative(repoDir, f.file);
    stdout(
      `flags: ${inRepo.startsWith('..') ? f.file : inRepo} (${f.state}): ${f.migrate} to migrate, ${f.skip} skipped${f.appended.length ? `, ${f.appended.length} new key(s) appended` : ''}`,
    );
    if (report.differences.length) {
      stdout(`differ between environments: ${report.differences.length}`);
      for (const d of report.differences)
        stdout(`  ${d.key}: ${d.note.replace(/^content differs between environments: /, '')}`);
    }
    if (report.files) {
      stdout(
        `files: ${report.files.written.length} written, ${report.files.unchanged.length} unchanged, ${report.files.kept.length} kept`,
      );
      for (const k of report.files.kept) stdout(`  kept ${k.path}: ${k.reason}`);
      const r = report.files.rewritten;
      if (r.length) {
        stdout(
          `YAML 1.1 scalars written as their YAML 1.1 value (what legacy readers of S3 got): ${r.length}`,
        );
        for (const x of r) {
          stdout(
            `  ${x.s3Key}:${x.line}:${x.column}: ${x.from} → ${x.to} (${x.path}${x.environments ? `; ${x.environments.join(', ')}` : ''})${x.note ? `; ${x.note}` : ''}`,
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
}
