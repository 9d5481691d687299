import { resolve } from 'node:path';
import { FsTree, loadSettings, resolveS3Location } from '@itemstore/config';
import { S3Reader, auditYaml11, checkEnvironment, yaml11AuditLines } from '@itemstore/ops';
import { stderr, terminalLogger } from '../io.js';
import {
  S3_FLAGS,
  endpointOf,
  flags,
  integerFlag,
  listFlag,
  parseCommand,
  printReport,
  s3Overrides,
} from '../args.js';

const HELP = `Usage: itemstore audit-yaml11 [--repo DIR] [--environments LIST] [--no-s3] [options]

Lists every plain scalar that YAML 1.1 readers (PyYAML and the other legacy readers of S3) and YAML 1.2 (this
suite, Item Store V2) read differently: yes/no/on/off/y/n, 0755, 0b101, 1_000, 1:30, 2001-12-14 and the rest of
the table in packages/convert/README.md. Looks in the repo's configs (an error where S3 gets the file's bytes, a
warning elsewhere) and in the S3 objects of each environment's buckets (what migrate reads as YAML 1.1 and stores).
  --repo DIR            the config repo (default: the current directory)
  --environments LIST   S3 environments to read, comma-separated (default: all of item-store.yaml)
  --no-s3               the repo only (no AWS credentials needed)
  --endpoint URL        an S3-compatible server (path-style); --bucket, --prefix, --region override item-store.yaml
  --concurrency N       S3 reads in flight (default 16)
  --report FILE         also write the JSON report here
  --json                print the JSON report on stdout
Exit: 0 nothing ambiguous, 1 something listed, 2 bad usage.`;

export async function auditYaml11Command(argv: string[]): Promise<number> {
  const values = parseCommand('audit-yaml11', HELP, argv, {
    ...flags({ repo: 'string', environments: 'string', 'no-s3': 'boolean', concurrency: 'string' }),
    ...flags({ report: 'string', json: 'boolean' }),
    ...S3_FLAGS,
  });
  if (!values) return 0;
  const concurrency = integerFlag('--concurrency', values.concurrency, 16, 1, 256);
  const tree = new FsTree(resolve(values.repo ?? '.'));
  const settings = await loadSettings(tree);
  const environments = listFlag(values.environments).map((e) => checkEnvironment(settings, e));
  const overrides = s3Overrides(values);
  const reader = values['no-s3'] ? undefined : new S3Reader({ ...endpointOf(values), concurrency });
  try {
    const report = await auditYaml11({
      tree,
      settings,
      ...(reader ? { reader } : {}),
      ...(environments.length ? { environments } : {}),
      locationOf: (tenant, env) => resolveS3Location(settings, tenant, env, overrides),
      concurrency,
      logger: terminalLogger,
    });
    await printReport(values, report, { lines: () => yaml11AuditLines(report) });
    const s3 = reader
      ? `; S3: ${report.s3.rows} in ${report.s3.objects} YAML object(s) of ${report.s3.locations.join(', ')}${report.s3.unreadable.length ? ` (${report.s3.unreadable.length} did not parse)` : ''}`
      : '';
    stderr(`audit-yaml11: repo: ${report.repo.rows} in ${report.repo.files} YAML config(s)${s3}`);
    return report.rows.length ? 1 : 0;
  } finally {
    reader?.close();
  }
}
