import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpItemStore, startServer, type RunningServer, type ServerOptions } from '@itemstore/v2';

export const TOKEN = 'test-token-5f2c9a';

export async function testServer(
  options: Partial<ServerOptions> = {},
): Promise<RunningServer & { dataDir: string }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'v2-data-'));
  const server = await startServer({ port: 0, token: TOKEN, ...options, dataDir });
  return { ...server, dataDir };
}

/** A client whose retries wait at most a few milliseconds, so fault tests stay fast. */
export function fastClient(
  url: string,
  options: { concurrency?: number; retries?: number } = {},
): HttpItemStore {
  return new HttpItemStore({
    url,
    token: TOKEN,
    concurrency: options.concurrency ?? 8,
    timeoutMs: 10_000,
    retry: {
      retries: options.retries ?? 12,
      baseDelayMs: 2,
      maxDelayMs: 20,
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
    },
  });
}

export interface Stats {
  requests: Record<string, number>;
  statuses: Record<string, number>;
  injectedFailures: { before: number; after: number };
  versions: Record<string, Record<string, number>>;
}

export async function stats(url: string): Promise<Stats> {
  const res = await fetch(`${url}/v2/_stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return (await res.json()) as Stats;
}

/** Requests that write: generateId, PUT, DELETE, promote. */
export function writeRequests(s: Stats): number {
  return Object.entries(s.requests)
    .filter(([k]) => /^(PUT|DELETE|POST) /.test(k))
    .reduce((n, [, v]) => n + v, 0);
}
