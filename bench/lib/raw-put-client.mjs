#!/usr/bin/env node
// The floor of a deploy against one server: a minimal client on node:http (keep-alive agent, `concurrency` sockets)
// that makes the same requests a deploy of already-listed items makes, and nothing else: one manifest listing per
// page, then one conditional PUT (If-Match the listed md5) per item, `concurrency` in flight all the time. No config
// is read or converted, no retry, no plan, no report. bench/cases/deploy-v2.mjs runs it as a whole process, like the
// CLI, so its wall time is what the machine and the server allow any client.
//
//   node bench/lib/raw-put-client.mjs BODIES.json CONCURRENCY     (ITEMSTORE_URL, ITEMSTORE_TOKEN from the env)
//
// BODIES.json: { "environment": "dev", "namespace": "ffi2", "metadata": {...},
//                "contents": { "<tag name>": "<V2 JSON text>", ... } }
// Prints `<requests> requests` on stderr; exits 1 when any answer is not 2xx.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [file, concurrencyArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg ?? 16);
const { environment, namespace, metadata, contents } = JSON.parse(readFileSync(file, 'utf8'));
const base = new URL(process.env.ITEMSTORE_URL);
const auth = `Bearer ${process.env.ITEMSTORE_TOKEN}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
let requests = 0;

function send(method, path, headers, body) {
  requests++;
  return new Promise((resolve, reject) => {
    const h = { Authorization: auth, Accept: 'application/json', ...headers };
    if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      h['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request(
      { hostname: base.hostname, port: base.port, path, method, headers: h, agent },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          res.statusCode >= 200 && res.statusCode < 300
            ? resolve(text)
            : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const items = [];
let pageToken;
do {
  const q = new URLSearchParams({ pageSize: '1000', namespace, ...(pageToken ? { pageToken } : {}) });
  const page = JSON.parse(await send('GET', `/v2/environments/${environment}/manifest?${q}`, {}));
  items.push(...page.items);
  pageToken = page.nextPageToken;
} while (pageToken);

const work = items.filter((i) => contents[i.tags.name] !== undefined);
let next = 0;
async function worker() {
  while (next < work.length) {
    const item = work[next++];
    const content = contents[item.tags.name];
    const md5 = createHash('md5').update(content).digest('hex');
    const body = JSON.stringify({
      content,
      md5,
      metadata: { ...metadata, path: `${namespace}/${item.tags.name}.yaml` },
    });
    await send(
      'PUT',
      `/v2/items/${encodeURIComponent(item.itemId)}/environments/${environment}/contents`,
      { 'If-Match': `"${item.md5}"` },
      body,
    );
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
agent.destroy();
process.stderr.write(`${requests} requests, ${work.length} PUTs\n`);
