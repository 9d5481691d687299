/** `itemstore validate | promote | migrate` in-process: arguments, the --yes guard, exit codes, output. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '@itemstore/core';
import { findExact } from '@itemstore/v2';
import type { ValidateReport } from '@itemstore/ops';
import { validateCommand } from '../../cli/src/commands/validate.js';
import { promoteCommand } from '../../cli/src/commands/promote.js';
import { migrateCommand } from '../../cli/src/commands/migrate.js';
import { auditYaml11Command } from '../../cli/src/commands/audit-yaml11.js';
import {
  BUCKETS,
  PREFIX,
  SETTINGS,
  TOKEN,
  cleanupAll,
  deployedSample,
  repoFiles,
  tagsOf,
  writeRepo,
  type Stores,
} from './helpers.js';
import { captureTerminal } from '../../../test/helpers/terminal.js';

let stores: Stores;
let repo: string;
const term = captureTerminal();
const savedEnv = { ...process.env };

beforeAll(async () => {
  ({ stores, repo } = await deployedSample());
  Object.assign(process.env, stores.s3.env, { ITEMSTORE_URL: stores.v2.url, ITEMSTORE_TOKEN: TOKEN });
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await stores?.close();
  await cleanupAll();
});

describe('itemstore validate', () => {
  test('drift exits 1; --fix prints the plan and changes nothing without --yes; with --yes it fixes', async () => {
    const base = ['--repo', repo, '--endpoint', stores.s3.endpoint];
    expect(await validateCommand(base)).toBe(0);
    expect(term.err).toContain(
      'validate dev (repo): 10 in-sync, 0 awaiting-promotion, 0 edited-outside, 0 missing, 0 orphan',
    );

    const vendor = await findExact(stores.store, 'ffi2', tagsOf('vendor_feed', 'ffi2'));
    await stores.store.putContents(vendor!.itemId, 'dev', '{"vendor": "by hand"}\n');
    term.out = term.err = '';
    expect(await validateCommand(base)).toBe(1);
    expect(term.out).toContain('edited-outside     v2   ffi2/default/vendor_feed.json');
    term.out = '';
    expect(await validateCommand([...base, '--json'])).toBe(1);
    const json = JSON.parse(term.out) as ValidateReport;
    expect(json).toMatchObject({ version: 2, environment: 'dev', drifted: 1, awaiting: 0 });
    expect(json.rows.filter((r) => r.status !== 'in-sync')).toEqual([
      expect.objectContaining({
        status: 'edited-outside',
        environment: 'dev',
        store: 'v2',
        path: 'ffi2/default/vendor_feed.json',
        origin: 'v2: no pipeline record (written through the API directly)',
      }),
    ]);
    expect(await validateCommand([...base, '--fail-on-drift', 'false'])).toBe(0);

    const versions = (await stores.v2Stats()).versions;
    term.err = '';
    expect(await validateCommand([...base, '--fix', '--source', 'repo'])).toBe(0);
    expect(term.err).toContain(
      'would write V2 dev ffi2/default/vendor_feed.json from repo ffi2/default/vendor_feed.json (edited-outside)',
    );
    expect(term.err).toContain('nothing changed; rerun with --yes to apply this plan.');
    expect((await stores.v2Stats()).versions).toEqual(versions);

    term.err = '';
    expect(await validateCommand([...base, '--fix', '--source', 'repo', '--yes'])).toBe(0);
    expect(term.err).toContain('fix: 1 done, 0 failed; validating again');
    expect(term.err.trim().split('\n').at(-1)).toContain(
      '10 in-sync, 0 awaiting-promotion, 0 edited-outside',
    );
  });

  test('usage mistakes are one sentence', async () => {
    await expect(validateCommand(['--repo', repo, '--fix'])).rejects.toThrow(
      new UsageError('--fix needs --source s3 or --source repo: which side is the source of truth.'),
    );
    await expect(validateCommand(['--repo', repo, '--against', 'x'])).rejects.toThrow(
      '--against must be repo or s3-vs-v2, got "x".',
    );
  });
});

describe('itemstore promote', () => {
  test('a skip is refused; the next environment works and prints versions', async () => {
    await expect(promoteCommand(['--repo', repo, '--from', 'dev', '--to', 'prod'])).rejects.toThrow(
      /from dev the next environment is qa, not prod/,
    );
    const code = await promoteCommand([
      '--repo',
      repo,
      '--from',
      'dev',
      '--to',
      'qa',
      '--endpoint',
      stores.s3.endpoint,
      '--paths',
      'ffi2/mappings',
    ]);
    expect(code).toBe(0);
    expect(term.out).toMatch(/promoted\s+v2 ffi2\/mappings\/store_codes.json {2}v1 \(to: none → v1\)/);
    expect(term.err).toContain('promote dev → qa: 1 promoted');
  });
});

describe('itemstore migrate', () => {
  test('--steps flags from a local mirror writes only the draft table', async () => {
    const target = writeRepo({ 'item-store.yaml': SETTINGS });
    const mirror = mkdtempSync(join(tmpdir(), 'ops-cli-mirror-'));
    mkdirSync(join(mirror, 'ffi2/eu'), { recursive: true });
    writeFileSync(join(mirror, 'ffi2/eu/a.yaml'), 'a: 1\n');
    const code = await migrateCommand([
      '--repo',
      target,
      '--from-dir',
      mirror,
      '--bucket',
      'legacy',
      '--prefix',
      'configs',
      '--steps',
      'flags',
    ]);
    expect(code).toBe(0);
    expect(readFileSync(join(target, '.itemstore/migration-flags.csv'), 'utf8')).toBe(
      's3_key,team,namespace,tags,s3_only,action,note\nconfigs/ffi2/eu/a.yaml,ffi2,ffi2,folder=eu,false,migrate,\n',
    );
    expect(term.out).toContain('(created): 1 to migrate, 0 skipped');
    expect(existsSync(join(target, 'ffi2'))).toBe(false);
    await expect(
      migrateCommand(['--repo', target, '--steps', 'flags', '--from', 's3://b/p/', '--from-dir', mirror]),
    ).rejects.toThrow('Give one kind of source: --from s3://BUCKET/PREFIX or --from-dir, not both.');
    await expect(
      migrateCommand([
        '--repo',
        target,
        '--steps',
        'flags',
        '--from-dir',
        `dev=${mirror}`,
        '--from-dir',
        mirror,
      ]),
    ).rejects.toThrow('--from-dir takes either one DIR, or ENV=DIR for each environment (not a mix).');
  });
});

describe('itemstore audit-yaml11', () => {
  test('lists the ambiguous scalars of the repo and of every environment bucket, with where they are', async () => {
    const dir = writeRepo({
      ...repoFiles(),
      'ffi2/default/switches.yaml': 'enabled: yes\n',
      'ffi2/mappings/modes.yaml': 'mode: 0755\n',
    });
    await stores.s3.putObject(BUCKETS.qa, `${PREFIX}ffi2/legacy.yaml`, 'window: 1:30\nstart: 2001-12-14\n');
    expect(await auditYaml11Command(['--repo', dir, '--endpoint', stores.s3.endpoint])).toBe(1);
    const dq =
      'data-quality/default/orders_checks.yaml:8:14: "yes" is the string "yes" to V2 but true to YAML 1.1 readers: write true or quote it to make the meaning plain [V2 only or converted]';
    expect(term.out.trim().split('\n')).toEqual([
      dq,
      'ffi2/default/switches.yaml:1:10: "yes" is true to YAML 1.1 readers of S3 and the string "yes" to V2: write true or quote it [S3 gets these bytes]',
      'ffi2/mappings/modes.yaml:1:7: "0755" is the number 755 to V2 but the number 493 to YAML 1.1 readers: write 493 or 755, or quote it to make the meaning plain [V2 only or converted]',
      's3://ops-qa/item-store/ffi2/legacy.yaml:1:9: "1:30" is the number 90 to YAML 1.1 readers of S3 and the string "1:30" to V2: write 90 or quote it (migrate stores 90) [qa]',
      's3://ops-qa/item-store/ffi2/legacy.yaml:2:8: "2001-12-14" is the date 2001-12-14 to YAML 1.1 readers of S3 and the string "2001-12-14" to V2: quote it (migrate stores "2001-12-14") [qa]',
    ]);
    expect(term.err).toContain('audit-yaml11: repo: 3 in');
    // The DQ config's `yes` reaches S3 quoted (legacy writer), so it is a warning, and the only row of the repo.
    term.out = '';
    expect(await auditYaml11Command(['--repo', repo, '--no-s3'])).toBe(1);
    expect(term.out).toBe(`${dq}\n`);
  });
});
