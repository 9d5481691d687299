/**
 * The built CLI (dist/cli/itemstore.js) as a user runs it: --version, "did you mean" for commands and flags,
 * operational failures (wrong token, nothing listening, DNS, TLS, a server that keeps failing) as one sentence with
 * the cause and the fix and exit 1, visible retries for what is worth retrying and none for what is not, plan
 * --json, a dirty checkout refused by deploy (or recorded with --allow-dirty), and clear words for a missing folder
 * or a folder that is not a git repository. Real git, the reference V2 server and small HTTP(S) servers on
 * 127.0.0.1. Needs `npm run build`.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpItemStore, startServer, type RunningServer } from '@itemstore/v2';
import { GitRepo } from '../helpers/git-repo.js';
import { bundleNode, repoRoot } from '../helpers/run-bundle.js';

jest.setTimeout(60_000);

const SETTINGS = `version: 1
mainBranch: main
environments: [dev, qa, prod]
tenants:
  retail:
    region: us-east-1
    s3:
      dev: { bucket: retail-dev, prefix: item-store/ }
      qa: { bucket: retail-qa, prefix: item-store/ }
      prod: { bucket: retail-prod, prefix: item-store/ }
teams:
  emr: { tenant: retail, namespace: emr-jobs }
`;
const TOKEN = 'cli-test-token-5e1f';
const made: string[] = [];
const servers: Server[] = [];
let v2: RunningServer;
let repo: GitRepo;

beforeAll(async () => {
  const data = mkdtempSync(join(tmpdir(), 'cli-v2-'));
  made.push(data);
  v2 = await startServer({ port: 0, dataDir: data, token: TOKEN });
  repo = await GitRepo.init();
  made.push(repo.dir);
  await repo.commit('configs', {
    'item-store.yaml': SETTINGS,
    'emr/default/spark.yaml': 'job: spark\nmemory: 4g\n',
  });
});

afterAll(async () => {
  await v2?.close();
  for (const s of servers) s.close();
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], env: Record<string, string> = {}, cwd = repoRoot): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(bundleNode, [join(repoRoot, 'dist', 'cli', 'itemstore.js'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** An HTTP server on 127.0.0.1 that answers each request with the next status of `statuses` (the last repeats). */
async function scriptedServer(statuses: number[]): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  const server = createServer((_req, res) => {
    const status = statuses[Math.min(n++, statuses.length - 1)] as number;
    res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
    res.end(
      JSON.stringify({ error: { code: status === 401 ? 'unauthenticated' : 'unavailable', message: 'no' } }),
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => n };
}

const deployDry = (url: string, token = TOKEN): string[] => [
  'deploy',
  '--dry-run',
  '--repo',
  repo.dir,
  '--url',
  url,
  '--token',
  token,
];

describe('itemstore (the built CLI)', () => {
  test('--version prints the suite version', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r).toMatchObject({ code: 0, stdout: `itemstore ${version}\n` });
    }
  });

  test('a mistyped command or flag gets "did you mean"', async () => {
    const cmd = await cli(['plna']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command "plna". Did you mean "plan"?');
    const flag = await cli(['deploy', '--dry-rnu']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--dry-rnu'. Did you mean --dry-run?");
    const far = await cli(['zzzzzz']);
    expect(far.stderr).not.toContain('Did you mean');
  });

  test('a missing folder and a folder that is not a git repository are named as such', async () => {
    const missing = await cli(['plan', '--repo', join(tmpdir(), 'no-such-folder-3f9a')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-folder-3f9a: there is no such folder/);
    expect(missing.stderr).not.toMatch(/git was not found|a bug/);
    const plain = mkdtempSync(join(tmpdir(), 'not-a-repo-'));
    made.push(plain);
    for (const args of [
      ['plan', '--repo', plain],
      ['deploy', '--repo', plain, '--url', v2.url, '--token', TOKEN],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${plain} is not a git repository`);
    }
  });

  test('plan --json prints the resolved manifest (and the dry-run report with --url)', async () => {
    await repo.checkout('feature/x', { create: true });
    await repo.commit('memory', { 'emr/default/spark.yaml': 'job: spark\nmemory: 8g\n' });
    const offline = await cli(['plan', '--repo', repo.dir, '--base', 'main', '--json']);
    expect(offline.code).toBe(0);
    const o = JSON.parse(offline.stdout) as { manifest: { entries: { path: string }[] } };
    expect(o.manifest.entries.map((e) => e.path)).toEqual(['emr/default/spark.yaml']);
    const online = await cli([
      'plan',
      '--repo',
      repo.dir,
      '--base',
      'main',
      '--json',
      '--url',
      v2.url,
      '--token',
      TOKEN,
    ]);
    expect(online.code).toBe(0);
    const j = JSON.parse(online.stdout) as { report: { dryRun: boolean; counts: { created: number } } };
    expect(j.report).toMatchObject({ dryRun: true, counts: { created: 1 } });
    await repo.checkout('main');
  });

  test('a wrong token: one sentence naming the token, exit 1, not retried', async () => {
    const r = await cli(deployDry(v2.url, 'wrong-token'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Item Store V2 at ${v2.url} refused the token (401`);
    expect(r.stderr).toContain('--token or ITEMSTORE_TOKEN');
    expect(r.stderr).not.toMatch(/retrying|a bug/);
  });

  test('nothing listening: connection refused named within 10 s, with the retries visible', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await cli(deployDry(`http://127.0.0.1:${port}`));
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/retrying \(1\/\d+\) after connection failed \(ECONNREFUSED\)/);
    expect(r.stderr).toContain(`Nothing answers at http://127.0.0.1:${port} (connection refused`);
    expect(r.stderr).not.toContain('a bug');
  });

  test('a host name that does not resolve: DNS named, not retried', async () => {
    const r = await cli(deployDry('http://itemstore.does-not-exist.invalid'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /The host name itemstore\.does-not-exist\.invalid does not resolve \(DNS (ENOTFOUND|EAI_AGAIN)\)/,
    );
    if (r.stderr.includes('ENOTFOUND')) expect(r.stderr).not.toContain('retrying');
  });

  test('a certificate that does not verify: TLS named with the fix, not retried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-tls-'));
    made.push(dir);
    const made1 = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    if (made1.status !== 0) return; // no openssl: nothing to serve TLS with
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_q, s) => s.end('{}'),
    );
    servers.push(server as unknown as Server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const r = await cli(deployDry(`https://localhost:${(server.address() as AddressInfo).port}`));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /The TLS certificate of localhost:\d+ could not be verified \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
    );
    expect(r.stderr).toContain('NODE_EXTRA_CA_CERTS');
    expect(r.stderr).not.toContain('retrying');
  });

  test('a server that answers 503: each retry is a line on stderr; then the final answer decides', async () => {
    const s = await scriptedServer([503, 503, 401]);
    const r = await cli(deployDry(s.url));
    expect(r.stderr).toMatch(/retrying \(1\/\d+\) after 503/);
    expect(r.stderr).toMatch(/retrying \(2\/\d+\) after 503/);
    expect(r.stderr).toContain('refused the token (401');
    expect(r.code).toBe(1);
    expect(s.hits()).toBe(3);
  });

  test('deploy refuses a dirty checkout; --allow-dirty records dirty: "true"', async () => {
    writeFileSync(join(repo.dir, 'emr/default/spark.yaml'), 'job: spark\nmemory: 16g\n');
    const args = ['deploy', '--repo', repo.dir, '--url', v2.url, '--token', TOKEN];
    const refused = await cli(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'The checkout has uncommitted changes (1 file, e.g. emr/default/spark.yaml)',
    );
    expect(refused.stderr).toContain('--allow-dirty');
    const store = new HttpItemStore({ url: v2.url, token: TOKEN });
    expect((await store.search('emr-jobs', { name: 'spark' })).items).toEqual([]);
    const allowed = await cli([...args, '--allow-dirty']);
    expect(allowed.code).toBe(0);
    const [item] = (await store.search('emr-jobs', { name: 'spark' })).items;
    const full = await store.getItem(item!.itemId);
    expect(full?.environments.dev?.metadata).toMatchObject({ dirty: 'true' });
  });

  test('deploy: a dirty checkout is refused ahead of a config error (git status runs beside the reading)', async () => {
    writeFileSync(join(repo.dir, 'emr/default/spark.yaml'), 'job: [spark\n');
    const r = await cli(['deploy', '--repo', repo.dir, '--url', v2.url, '--token', TOKEN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('The checkout has uncommitted changes (1 file, e.g. emr/default/spark.yaml)');
    expect(r.stderr).not.toContain('emr/default/spark.yaml:1');
    spawnSync('git', ['checkout', '--', 'emr/default/spark.yaml'], { cwd: repo.dir });
  });
});
