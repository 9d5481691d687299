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
server.httpServer.prependListener('request', (req) => {
  requests.push({ method: req.method ?? '', url: req.url ?? '' });
});

process.on('message', (msg) => {
  if (msg?.cmd === 'requests') process.send?.({ id: msg.id, requests });
  else if (msg?.cmd === 'reset') {
    requests = [];
    process.send?.({ id: msg.id, ok: true });
  } else if (msg?.cmd === 'close') {
    server.close().then(() => process.exit(0));
  }
});
// The parent going away must not leave a server behind.
process.on('disconnect', () => process.exit(0));

process.stdout.write(JSON.stringify({ port }) + '\n');
