// The s3rver child process behind test/helpers/s3-server.ts (and bench/cases/*.mjs). It must run in its own process
// because s3rver 3.7 encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only allows when Node
// starts with --openssl-legacy-provider (see /work/shared/NOTES.md). The parent sets NODE_OPTIONS for it.
//
// argv: <directory> <bucket,bucket,...>. Prints one JSON line {"port": N} on stdout when listening on 127.0.0.1.
// Every request is recorded before s3rver sees it; over IPC the parent asks for {cmd:'requests'} or {cmd:'reset'}.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

const [directory, bucketList = ''] = process.argv.slice(2);
if (!directory) {
  process.stderr.write('usage: s3-server-process.mjs <directory> [bucket,bucket]\n');
  process.exit(2);
}

/** @type {{method: string, url: string}[]} */
let requests = [];

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  configureBuckets: bucketList
    .split(',')
    .filter(Boolean)
    .map((name) => ({ name })),
});
const { port } = await server.run();
/**
 * Targeted faults ({cmd:'faults', rules}): the `nth` (1-based, per rule) request matching method, bucket and key
 * answers `status` (default 500) with an S3 error body, `times` times in a row (default: every later match), and
 * never reaches s3rver.
 * @type {{rule: {method?: string, bucket?: string, key?: string, nth?: number, times?: number, status?: number}, seen: number}[]}
 */
let faults = [];
const handlers = server.httpServer.listeners('request');
server.httpServer.removeAllListeners('request');
server.httpServer.on('request', (req, res) => {
  requests.push({ method: req.method ?? '', url: req.url ?? '' });
  const u = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = u.pathname.replace(/^\//, '');
  const slash = path.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  let hit;
  for (const f of faults) {
    const r = f.rule;
    if (r.method !== undefined && r.method !== req.method) continue;
    if (r.bucket !== undefined && r.bucket !== bucket) continue;
    if (r.key !== undefined && r.key !== key) continue;
    f.seen++;
    const first = r.nth ?? 1;
    if (!hit && f.seen >= first && f.seen < first + (r.times ?? Infinity)) hit = r;
  }
  if (!hit) {
    for (const h of handlers) h.call(server.httpServer, req, res);
    return;
  }
  const status = hit.status ?? 500;
  req.resume();
  req.on('end', () => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/xml');
    const code = status >= 500 ? 'InternalError' : status === 403 ? 'AccessDenied' : 'InvalidRequest';
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>Injected failure (${status})</Message><Key>${key}</Key></Error>`,
    );
  });
});

process.on('message', (msg) => {
  if (msg?.cmd === 'requests') process.send?.({ id: msg.id, requests });
  else if (msg?.cmd === 'reset') {
    requests = [];
    process.send?.({ id: msg.id, ok: true });
  } else if (msg?.cmd === 'faults') {
    faults = (msg.rules ?? []).map((rule) => ({ rule, seen: 0 }));
    process.send?.({ id: msg.id, ok: true });
  } else if (msg?.cmd === 'close') {
    server.close().then(() => process.exit(0));
  }
});
// The parent going away must not leave a server behind.
process.on('disconnect', () => process.exit(0));

process.stdout.write(JSON.stringify({ port }) + '\n');
