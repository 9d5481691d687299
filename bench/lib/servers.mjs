// Servers the cases measure against, each in its own process on 127.0.0.1 (never another address):
// - the project's reference Item Store V2 server: `node dist/cli/itemstore.js serve --port 0 ...`;
// - s3rver, through the tests' child script (test/helpers/s3-server-process.mjs), started with
//   NODE_OPTIONS=--openssl-legacy-provider so listings past 1,000 keys work (see /work/shared/NOTES.md).
// A server process is stopped by close(), and also when the case process exits.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliBundle, requireBundle, s3rverProcessScript } from './paths.mjs';

const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** s3rver accepts only this access key and secret. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * Starts the reference V2 server (SPEC §5). Options: latencyMs (added to every request), failRate (0..1),
 * token, dataDir (default: a new temp folder, removed by close()).
 * Resolves { url, token, dataDir, pid, env, close() }; env holds ITEMSTORE_URL/ITEMSTORE_TOKEN for a child.
 */
export async function startV2Server({ latencyMs = 0, failRate = 0, token = 'bench-token', dataDir } = {}) {
  requireBundle(cliBundle);
  const ownDir = !dataDir;
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'bench-v2-'));
  const args = [
    cliBundle,
    'serve',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--data',
    dir,
    '--token',
    token,
    '--quiet',
  ];
  if (latencyMs) args.push('--latency', String(latencyMs));
  if (failRate) args.push('--fail-rate', String(failRate));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const url = await firstLine(child, 'itemstore serve');
  return {
    url,
    token,
    dataDir: dir,
    pid: child.pid,
    env: { ITEMSTORE_URL: url, ITEMSTORE_TOKEN: token },
    async close() {
      await stop(child, 'SIGTERM');
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts s3rver with the given buckets. Resolves { endpoint, port, pid, region, directory, env, requests(), counts(),
 * resetCounts(), close() }. env is what a child process (our bundle, the CLI, /usr/bin/aws) needs to reach it with
 * the only credentials s3rver accepts, and without the user's ~/.aws.
 */
export async function startS3rver({ buckets = [], region = 'us-east-1' } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'bench-s3rver-'));
  const child = fork(s3rverProcessScript, [directory, buckets.join(',')], {
    execPath: process.execPath,
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  live.add(child);
  const { port } = JSON.parse(await firstLine(child, 's3rver'));
  const endpoint = `http://127.0.0.1:${port}`;
  let nextId = 0;
  const ask = (cmd) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (msg) => {
        if (msg?.id !== id) return;
        child.off('message', onMessage);
        resolve(msg);
      };
      child.on('message', onMessage);
      if (!child.send({ cmd, id })) reject(new Error('s3rver process is gone'));
    });
  const server = {
    endpoint,
    port,
    /** The s3rver process (cases read its CPU time from /proc). */
    pid: child.pid,
    region,
    directory,
    credentials: S3RVER_CREDENTIALS,
    env: {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_CONFIG_FILE: join(directory, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(directory, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    },
    /** Every request since the last reset: [{method, url}]. */
    async requests() {
      return (await ask('requests')).requests;
    },
    /** Requests since the last reset by kind: put/get/delete (on keys), list (GET on a bucket), head, post, total. */
    async counts() {
      const c = { put: 0, get: 0, delete: 0, list: 0, head: 0, post: 0, total: 0 };
      for (const r of await server.requests()) {
        const path = new URL(r.url, 'http://127.0.0.1').pathname.replace(/^\//, '');
        const onKey = path.includes('/') && !path.endsWith('/');
        c.total++;
        if (r.method === 'PUT' && onKey) c.put++;
        else if (r.method === 'GET' && onKey) c.get++;
        else if (r.method === 'GET') c.list++;
        else if (r.method === 'DELETE' && onKey) c.delete++;
        else if (r.method === 'HEAD') c.head++;
        else if (r.method === 'POST') c.post++;
      }
      return c;
    },
    async resetCounts() {
      await ask('reset');
    },
    async close() {
      if (child.exitCode === null && child.connected) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.send({ cmd: 'close' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return server;
}

/** The child's first stdout line (the URL or {"port": N}); rejects with its stderr if it exits first. */
function firstLine(child, what) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start within 30 s: ${err.trim()}`)),
      30_000,
    );
    child.stderr.on('data', (d) => (err += d));
    const onData = (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve(out.slice(0, nl).trim());
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready: ${err.trim()}`));
    });
  });
}

async function stop(child, signal) {
  live.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
