/**
 * The two servers the demo and the end-to-end tests run against, both on 127.0.0.1 and on free ports:
 * - the reference Item Store V2 server, in this process (`startServer` from @itemstore/v2);
 * - s3rver in a child process of its own process group, started with NODE_OPTIONS=--openssl-legacy-provider (its
 *   listing tokens need a cipher OpenSSL 3 disables, see /work/shared/NOTES.md). It exits when its stdin closes,
 *   so even a SIGKILLed parent leaves no server behind.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startServer, type RunningServer, type TokenSpec } from '@itemstore/v2';
import type { ProcessGroups } from '@itemstore/workflow-runner';

/** s3rver accepts only this key pair. */
export const S3RVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3 {
  endpoint: string;
  directory: string;
  pid: number;
  stop(): Promise<void>;
}

const CHILD = `
import { createRequire } from 'node:module';
const [s3rverPath, directory, buckets] = process.argv.slice(1);
const S3rver = createRequire(s3rverPath)(s3rverPath);
const server = new S3rver({
  address: '127.0.0.1', port: 0, directory, silent: true,
  configureBuckets: buckets.split(',').filter(Boolean).map((name) => ({ name })),
});
const { port } = await server.run();
const stop = () => server.close().then(() => process.exit(0), () => process.exit(1));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
process.stdout.write(JSON.stringify({ port }) + '\\n');
`;

/** Where s3rver is installed (a devDependency: `npm ci` brings it), or a clear error. */
export function resolveS3rver(from: string): string {
  try {
    return createRequire(from).resolve('s3rver');
  } catch {
    throw new Error(
      's3rver is not installed: run `npm ci` in the suite (it is a devDependency the demo uses as its local S3).',
    );
  }
}

export async function startLocalS3(options: {
  processes: ProcessGroups;
  buckets: readonly string[];
  tempDir: string;
  /** A file or URL to resolve s3rver from (default: this module). */
  resolveFrom?: string;
}): Promise<LocalS3> {
  const directory = mkdtempSync(join(options.tempDir, 's3rver-'));
  const s3rver = resolveS3rver(options.resolveFrom ?? import.meta.url);
  const child = options.processes.spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD, s3rver, directory, options.buckets.join(',')],
    {
      // Replace NODE_OPTIONS (jest's flags have no business in the server).
      env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
    };
    const onExit = (code: number | null): void =>
      reject(
        new Error(`the local S3 server (s3rver) exited with ${code} before listening: ${stderr.trim()}`),
      );
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  child.stdout?.resume();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.stdin?.end();
      options.processes.kill(child, 'SIGTERM');
      const timer = setTimeout(() => options.processes.kill(child, 'SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface LocalV2 {
  url: string;
  token: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startLocalV2(options: {
  tempDir: string;
  token: string;
  /** Scoped tokens besides the full-rights `token` (SPEC §5). */
  tokens?: TokenSpec[];
}): Promise<LocalV2> {
  const dataDir = mkdtempSync(join(options.tempDir, 'itemstore-v2-'));
  const server: RunningServer = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    token: options.token,
    ...(options.tokens ? { tokens: options.tokens } : {}),
  });
  return { url: server.url, token: options.token, dataDir, stop: () => server.close() };
}
