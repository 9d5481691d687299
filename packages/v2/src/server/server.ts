import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  LIMITS,
  MAX_REQUEST_BODY_BYTES,
  MAX_REQUEST_HEAD_BYTES,
  NAMESPACE_PATTERN,
  TAG_KEY_PATTERN,
  codePointLength,
  md5Hex,
} from '@itemstore/core';
import { ApiError, ItemDatabase } from './database.js';
import type { Tags } from '@itemstore/config';
import { GENERATE_IDS_MAX, type VersionMetadata } from '../types.js';
import { allows, checkScopes, itemKind, scopeMeaning, scopeName, type NeededScope } from '../scopes.js';

/** Largest request body the server reads; larger ones answer 413 (room for content of LIMITS.contentBytes). */
export const MAX_BODY_BYTES = MAX_REQUEST_BODY_BYTES;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
/** Namespaces and environment names (the environment pattern of item-store.yaml is a subset). */
const NAME = NAMESPACE_PATTERN;
const TAG_KEY = TAG_KEY_PATTERN;
const MD5 = /^[0-9a-f]{32}$/;

export interface ServerOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  dataDir: string;
  /** A token with full rights (as before scopes existed). At least one of `token` and `tokens` is required. */
  token?: string;
  /** Tokens with names and scopes (see scopes.ts); a token without `scopes` has full rights. */
  tokens?: TokenSpec[];
  /** Delay added to every request, in milliseconds. */
  latencyMs?: number;
  /**
   * Share of requests (0..1) that answer 503. Half of them fail before doing the work, half after the work is done
   * but before answering: a client must make its retries safe to pass.
   */
  failRate?: number;
  /** Source of randomness for fault injection (tests make it deterministic). */
  random?: () => number;
  /** Targeted faults: fail chosen requests (see FaultRule). Also settable later with `setFaults`. */
  faults?: FaultRule[];
  /** Called once per request with a one-line access log. */
  log?: (line: string) => void;
}

/** A bearer token the server accepts: its name (for messages and logs, never the token) and its scopes. */
export interface TokenSpec {
  token: string;
  name?: string;
  /** Absent: full rights. */
  scopes?: string[];
}

/**
 * A targeted fault, for tests that fail one chosen write: the `nth` request (1-based, counted per rule) that
 * matches every given field answers `status` (default 500), `times` times in a row (default: every later match
 * too), either before the work or after it was done (the answer is then lost).
 */
export interface FaultRule {
  route?: RouteName;
  method?: string;
  itemId?: string;
  environment?: string;
  /** Matches the request body's `metadata.path` (the config's path in the repo). */
  path?: string;
  nth?: number;
  times?: number;
  status?: number;
  when?: 'before' | 'after';
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Replaces the targeted faults (counters start again from zero). */
  setFaults(rules: FaultRule[]): void;
}

interface Stats {
  requests: Record<string, number>;
  statuses: Record<string, number>;
  injectedFailures: { before: number; after: number };
  /** Requests refused for a missing scope, by the scope they lacked. */
  refusedScopes: Record<string, number>;
}

/** Who is calling: the matching token's name and scopes (undefined scopes: full rights). */
interface Caller {
  name: string;
  scopes: string[] | undefined;
}

/** One request after routing: what every step of the handler works on. */
interface Request {
  req: IncomingMessage;
  method: string;
  url: URL;
  route: MatchedRoute;
  body: Buffer;
}

/** What the route handlers share. */
interface Context {
  db: ItemDatabase;
  stats: Stats;
}

/**
 * The reference Item Store V2 server (SPEC §5): node:http, no framework. Used by `itemstore serve`, the tests and
 * the benchmarks. A request goes through `routeOf` → `authenticate` → `readBody` → `authorize` (token scopes,
 * before any work) → fault injection → the route's handler (ROUTE_HANDLERS) → `send`.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const callers = callersOf(options);
  const db = await ItemDatabase.open(options.dataDir);
  const random = options.random ?? Math.random;
  const failRate = options.failRate ?? 0;
  const latencyMs = options.latencyMs ?? 0;
  const stats: Stats = {
    requests: {},
    statuses: {},
    injectedFailures: { before: 0, after: 0 },
    refusedScopes: {},
  };
  const ctx: Context = { db, stats };
  let faults: { rule: FaultRule; seen: number }[] = [];
  const setFaults = (rules: FaultRule[]): void => {
    faults = rules.map((rule) => ({ rule, seen: 0 }));
  };
  setFaults(options.faults ?? []);

  const server = createServer({ maxHeaderSize: MAX_REQUEST_HEAD_BYTES }, (req, res) => {
    const requestId = `req_${randomUUID()}`;
    res.setHeader('X-Request-Id', requestId);
    const started = Date.now();
    res.on('finish', () => {
      stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1;
      options.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms ${requestId}`);
    });
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof ApiError ? err : new ApiError(500, 'internal', 'Internal server error.');
      if (!(err instanceof ApiError))
        options.log?.(`error ${requestId}: ${(err as Error)?.stack ?? String(err)}`);
      sendError(res, e);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, url, route } = await routeOf(req, stats);
    if (latencyMs > 0) await sleep(latencyMs);
    const caller = route.name === 'health' ? undefined : await authenticate(req, res, callers);
    const request: Request = { req, method, url, route, body: await readBody(req) };
    if (caller) authorize(ctx, caller, request);
    const failAfter = injectFault(request);
    const answer = await ROUTE_HANDLERS[route.name](ctx, request);
    if (failAfter) {
      stats.injectedFailures.after++;
      throw failAfter;
    }
    send(res, answer);
  }

  /**
   * Fault injection, never on the liveness and test-only calls: throws a fault that fails before the work, returns
   * the one to throw after the work (the answer is lost), or undefined.
   */
  function injectFault(request: Request): ApiError | undefined {
    const { route, method, body } = request;
    if (route.name === 'health' || route.name === 'stats') return undefined;
    const fault = targetedFault(route.name, method, route.params, body);
    if (fault) {
      const status = fault.status ?? 500;
      const error = new ApiError(
        status,
        'injected',
        `Injected failure (${status}, ${fault.when ?? 'before'} the work).`,
      );
      if (fault.when !== 'after') {
        stats.injectedFailures.before++;
        throw error;
      }
      return error;
    }
    if (failRate > 0 && random() < failRate) {
      if (random() < 0.5) {
        stats.injectedFailures.before++;
        throw new ApiError(503, 'unavailable', 'Injected failure (--fail-rate), before the work.');
      }
      return new ApiError(503, 'unavailable', 'Injected failure (--fail-rate), after the work was done.');
    }
    return undefined;
  }

  /** The targeted fault this request hits, if any. */
  function targetedFault(
    name: RouteName,
    method: string,
    params: Record<string, string>,
    body: Buffer,
  ): FaultRule | undefined {
    let hit: FaultRule | undefined;
    for (const f of faults) {
      const r = f.rule;
      if (r.route !== undefined && r.route !== name) continue;
      if (r.method !== undefined && r.method !== method) continue;
      if (r.itemId !== undefined && r.itemId !== params.id) continue;
      if (r.environment !== undefined && r.environment !== params.env) continue;
      if (r.path !== undefined && metadataPath(body) !== r.path) continue;
      f.seen++;
      const first = r.nth ?? 1;
      if (!hit && f.seen >= first && f.seen < first + (r.times ?? Infinity)) hit = r;
    }
    return hit;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.keepAliveTimeout = 5_000;
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    setFaults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** The accepted tokens, each as the exact header it must come in; scopes checked at start (a typo fails here). */
function callersOf(options: ServerOptions): { expected: Buffer; caller: Caller }[] {
  const specs: TokenSpec[] = [
    ...(options.token ? [{ token: options.token, name: 'default' }] : []),
    ...(options.tokens ?? []),
  ];
  if (!specs.length) throw new Error('startServer: a token is required');
  return specs.map((t, i) => {
    if (!t.token) throw new Error(`startServer: token ${t.name ?? i + 1} is empty`);
    const name = t.name ?? `token ${i + 1}`;
    return {
      expected: Buffer.from(`Bearer ${t.token}`),
      caller: { name, scopes: t.scopes && checkScopes(t.scopes, `The token "${name}"`) },
    };
  });
}

/** The route a request asks for (counted in the stats), or a 400 for a path that does not decode, or a 404. */
async function routeOf(
  req: IncomingMessage,
  stats: Stats,
): Promise<{ method: string; url: URL; route: MatchedRoute }> {
  const method = req.method ?? 'GET';
  let url: URL;
  let route: MatchedRoute | undefined;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
    route = matchRoute(method, url.pathname);
  } catch {
    // A path that does not decode (`/v2/items/%`): the caller's mistake, said as such.
    stats.requests[`${method} (malformed)`] = (stats.requests[`${method} (malformed)`] ?? 0) + 1;
    await drain(req);
    throw new ApiError(400, 'invalid_argument', 'The request path is not valid percent-encoded UTF-8.');
  }
  const routeKey = route ? `${method} ${route.pattern}` : `${method} (unknown)`;
  stats.requests[routeKey] = (stats.requests[routeKey] ?? 0) + 1;
  if (!route) {
    await drain(req);
    throw new ApiError(404, 'not_found', `No such call: ${method} ${url.pathname}.`);
  }
  return { method, url, route };
}

/** The caller whose token the Authorization header carries (compared in constant time), else 401. */
async function authenticate(
  req: IncomingMessage,
  res: ServerResponse,
  callers: { expected: Buffer; caller: Caller }[],
): Promise<Caller> {
  const header = req.headers.authorization;
  if (header) {
    const got = Buffer.from(header);
    for (const c of callers) {
      if (got.length === c.expected.length && timingSafeEqual(got, c.expected)) return c.caller;
    }
  }
  await drain(req);
  res.setHeader('WWW-Authenticate', 'Bearer');
  throw new ApiError(401, 'unauthenticated', 'Missing or wrong bearer token.');
}

/** The scope a request needs (SPEC §5): reads need `read`, writes the scope of the item's kind and environment. */
function neededScope(ctx: Context, request: Request): NeededScope {
  const { route, body } = request;
  const env = route.params.env;
  switch (route.name) {
    case 'generateId':
      // No environment yet: a write scope for this kind of item in any environment.
      return { action: 'write', kind: itemKind(checkTags(parseJson(body).tags)) };
    case 'batchGenerateId': {
      // Every kind in the batch must be allowed; a batch of branch items needs only the branch scope.
      const kinds = new Set(batchTags(parseJson(body)).map(itemKind));
      return { action: 'write', kind: kinds.has('main') ? 'main' : 'branch' };
    }
    case 'putContents':
    case 'deleteItem': {
      const tags = ctx.db.tagsOf(route.params.id!);
      // An unknown item: any write scope of the environment lets the store answer 404.
      return {
        action: 'write',
        environment: checkName('environment', env),
        ...(tags ? { kind: itemKind(tags) } : {}),
      };
    }
    case 'promote':
      return { action: 'promote', environment: checkName('environment', env) };
    default:
      return { action: 'read' };
  }
}

/** Refuses, before any work, a request the caller's scopes do not allow: 403 naming the missing scope. */
function authorize(ctx: Context, caller: Caller, request: Request): void {
  if (caller.scopes === undefined) return;
  const needed = neededScope(ctx, request);
  if (allows(caller.scopes, needed)) return;
  const scope = scopeName(needed);
  ctx.stats.refusedScopes[scope] = (ctx.stats.refusedScopes[scope] ?? 0) + 1;
  throw new ApiError(
    403,
    'missing_scope',
    `The token "${caller.name}" may not ${scopeMeaning(needed)}: that needs the scope ${scope}, and it has ${caller.scopes.length ? caller.scopes.join(', ') : 'no scope'}.`,
    { requiredScope: scope, tokenName: caller.name },
  );
}

/** One handler per route, each a named function (issue 17: no long switch in the request handler). */
const ROUTE_HANDLERS: Record<RouteName, (ctx: Context, request: Request) => Promise<Answer> | Answer> = {
  health: () => ({ status: 200, body: { status: 'ok' } }),
  stats: statsRoute,
  generateId: generateIdRoute,
  batchGenerateId: batchGenerateIdRoute,
  search: searchRoute,
  getItem: getItemRoute,
  getContents: getContentsRoute,
  putContents: putContentsRoute,
  deleteItem: deleteItemRoute,
  promote: promoteRoute,
  versions: versionsRoute,
  manifest: manifestRoute,
};

/** Test-only counters: requests per route, statuses, injected failures, refusals, versions per item. */
function statsRoute({ db, stats }: Context): Answer {
  return { status: 200, body: { ...stats, versions: db.versionCounts() } };
}

async function generateIdRoute({ db }: Context, { route, body }: Request): Promise<Answer> {
  const ns = checkName('namespace', route.params.ns);
  const tags = checkTags(parseJson(body).tags);
  const r = await db.generateId(ns, tags);
  return { status: r.created ? 201 : 200, body: r };
}

async function batchGenerateIdRoute({ db }: Context, { route, body }: Request): Promise<Answer> {
  const ns = checkName('namespace', route.params.ns);
  const all = batchTags(parseJson(body));
  return { status: 200, body: { items: await db.generateIds(ns, all) } };
}

/** The tag sets of a batchGenerateId body, every one checked before any item is made (a bad one: 400, nothing made). */
function batchTags(json: Record<string, unknown>): Tags[] {
  const items: unknown = json.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > GENERATE_IDS_MAX) {
    throw new ApiError(
      400,
      'invalid_argument',
      `items must be a list of 1 to ${GENERATE_IDS_MAX} objects {"tags": {...}}.`,
    );
  }
  return items.map((i: unknown, n) => {
    if (typeof i !== 'object' || i === null || Array.isArray(i)) {
      throw new ApiError(400, 'invalid_argument', `items[${n}] must be an object {"tags": {...}}.`);
    }
    return checkTags((i as { tags?: unknown }).tags);
  });
}

function searchRoute({ db }: Context, { route, url }: Request): Answer {
  const ns = checkName('namespace', route.params.ns);
  const tags: Tags = {};
  for (const t of url.searchParams.getAll('tag')) {
    const at = t.indexOf(':');
    if (at < 1) throw new ApiError(400, 'invalid_argument', `tag must be key:value, got "${t}".`);
    tags[t.slice(0, at)] = t.slice(at + 1);
  }
  const { after, size } = paging(url.searchParams);
  const hits = db.search(ns, tags, after, size);
  const page = hits.slice(0, size);
  return {
    status: 200,
    body: {
      items: page.map((i) => ({ itemId: i.itemId, tags: i.tags })),
      ...(hits.length > size ? { nextPageToken: encodeToken(page.at(-1)!.itemId) } : {}),
    },
  };
}

function getItemRoute({ db }: Context, { route }: Request): Answer {
  const item = db.getItem(route.params.id!);
  if (!item) throw new ApiError(404, 'not_found', `No item ${route.params.id}.`);
  return { status: 200, body: item };
}

async function getContentsRoute({ db }: Context, { route, url }: Request): Promise<Answer> {
  const env = checkName('environment', route.params.env);
  const v = url.searchParams.get('version');
  let version: number | undefined;
  if (v !== null) {
    version = Number(v);
    if (!Number.isInteger(version) || version < 1) {
      throw new ApiError(400, 'invalid_argument', `version must be a whole number from 1, got "${v}".`);
    }
  }
  const c = await db.getContents(route.params.id!, env, version);
  return {
    status: 200,
    body: c.content,
    headers: { ETag: `"${c.md5}"`, 'X-Item-Version': String(c.version) },
  };
}

async function putContentsRoute({ db }: Context, { route, req, body }: Request): Promise<Answer> {
  const env = checkName('environment', route.params.env);
  const json = parseJson(body);
  if (typeof json.content !== 'string')
    throw new ApiError(400, 'invalid_argument', 'content must be a string.');
  if (typeof json.md5 !== 'string' || !MD5.test(json.md5)) {
    throw new ApiError(400, 'invalid_argument', 'md5 must be the hex MD5 of content.');
  }
  const content = Buffer.from(json.content, 'utf8');
  if (content.length > LIMITS.contentBytes) {
    throw new ApiError(
      413,
      'too_large',
      `content is ${content.length} bytes; an item version holds at most ${LIMITS.contentBytes}.`,
    );
  }
  const actual = md5Hex(content);
  if (actual !== json.md5) {
    throw new ApiError(400, 'md5_mismatch', `md5 ${json.md5} does not match the content's MD5 ${actual}.`);
  }
  const r = await db.putContents(
    route.params.id!,
    env,
    content,
    checkMetadata(json.metadata),
    {
      ifMatch: etag(req.headers['if-match']),
      ifNoneMatch: req.headers['if-none-match']?.trim() === '*',
    },
    actual,
  );
  return writeAnswer(r, 201);
}

async function deleteItemRoute({ db }: Context, { route, req, body }: Request): Promise<Answer> {
  const env = checkName('environment', route.params.env);
  const json = body.length ? parseJson(body) : {};
  const r = await db.deleteItem(route.params.id!, env, checkMetadata(json.metadata), {
    ifMatch: etag(req.headers['if-match']),
  });
  return writeAnswer(r, 200, true);
}

async function promoteRoute({ db }: Context, { route, body }: Request): Promise<Answer> {
  const env = checkName('environment', route.params.env);
  const json = parseJson(body);
  const from = checkName('fromEnvironment', json.fromEnvironment);
  if (from === env)
    throw new ApiError(400, 'invalid_argument', 'fromEnvironment must differ from the target.');
  const version = json.version;
  if (version !== undefined && (!Number.isInteger(version) || (version as number) < 1)) {
    throw new ApiError(400, 'invalid_argument', 'version must be a whole number from 1.');
  }
  const meta = json.metadata === undefined ? undefined : checkMetadata(json.metadata);
  const r = await db.promote(route.params.id!, env, from, version as number | undefined, meta);
  return writeAnswer(r, 201);
}

function versionsRoute({ db }: Context, { route }: Request): Answer {
  const env = checkName('environment', route.params.env);
  const versions = db.versions(route.params.id!, env);
  if (!versions) throw new ApiError(404, 'not_found', `No item ${route.params.id}.`);
  return { status: 200, body: { versions } };
}

function manifestRoute({ db }: Context, { route, url }: Request): Answer {
  const env = checkName('environment', route.params.env);
  const ns = url.searchParams.get('namespace') || undefined;
  const { after, size } = paging(url.searchParams);
  const hits = db.manifest(env, ns, after, size);
  const page = hits.slice(0, size);
  return {
    status: 200,
    body: {
      items: page,
      ...(hits.length > size ? { nextPageToken: encodeToken(page.at(-1)!.itemId) } : {}),
    },
  };
}

/** Sends a handler's answer: JSON, or an item's stored bytes (contents are JSON text too). */
function send(res: ServerResponse, answer: Answer): void {
  res.statusCode = answer.status;
  for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(Buffer.isBuffer(answer.body) ? answer.body : JSON.stringify(answer.body));
}

export type RouteName =
  | 'health'
  | 'stats'
  | 'generateId'
  | 'batchGenerateId'
  | 'search'
  | 'getItem'
  | 'getContents'
  | 'putContents'
  | 'deleteItem'
  | 'promote'
  | 'versions'
  | 'manifest';

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const SEG = '([^/]+)';
const ROUTES: { method: string; name: RouteName; pattern: string; re: RegExp; keys: string[] }[] = [
  route('GET', 'health', '/v2/health'),
  route('GET', 'stats', '/v2/_stats'),
  route('POST', 'generateId', '/v2/namespaces/{ns}/items:generateId'),
  route('POST', 'batchGenerateId', '/v2/namespaces/{ns}/items:batchGenerateId'),
  route('GET', 'search', '/v2/namespaces/{ns}/items'),
  route('GET', 'getItem', '/v2/items/{id}'),
  route('GET', 'getContents', '/v2/items/{id}/environments/{env}/contents'),
  route('PUT', 'putContents', '/v2/items/{id}/environments/{env}/contents'),
  route('DELETE', 'deleteItem', '/v2/items/{id}/environments/{env}'),
  route('POST', 'promote', '/v2/items/{id}/environments/{env}:promote'),
  route('GET', 'versions', '/v2/items/{id}/environments/{env}/versions'),
  route('GET', 'manifest', '/v2/environments/{env}/manifest'),
];

function route(method: string, name: RouteName, pattern: string) {
  const keys: string[] = [];
  const source = pattern
    .split(/(\{[a-z]+\})/)
    .map((part) => {
      const m = /^\{([a-z]+)\}$/.exec(part);
      if (m) {
        keys.push(m[1]!);
        // `:verb` suffixes belong to the path, not the segment.
        return SEG.replace('[^/]', '[^/:]');
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { method, name, pattern, re: new RegExp(`^${source}$`), keys };
}

interface MatchedRoute {
  name: RouteName;
  pattern: string;
  params: Record<string, string>;
}

function matchRoute(method: string, path: string): MatchedRoute | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.re.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => {
      params[k] = decodeURIComponent(m[i + 1]!);
    });
    return { name: r.name, pattern: r.pattern, params };
  }
  return undefined;
}

/** `metadata.path` of a JSON request body, when it has one (fault matching only). */
function metadataPath(body: Buffer): string | undefined {
  if (!body.length) return undefined;
  try {
    const v = JSON.parse(body.toString('utf8')) as { metadata?: { path?: unknown } };
    return typeof v?.metadata?.path === 'string' ? v.metadata.path : undefined;
  } catch {
    return undefined;
  }
}

function writeAnswer(
  r: { version: number; md5: string; unchanged: boolean },
  createdStatus: number,
  always200 = false,
): Answer {
  if (r.unchanged) return { status: 200, body: { version: r.version, md5: r.md5, unchanged: true } };
  return { status: always200 ? 200 : createdStatus, body: { version: r.version, md5: r.md5 } };
}

function sendError(res: ServerResponse, e: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = e.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  if (e.status === 503) res.setHeader('Retry-After', '0');
  res.end(JSON.stringify({ error: { code: e.code, message: e.message, ...e.extra } }));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(
      new ApiError(413, 'too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`),
    );
  }
  if (req.readableEnded) return Promise.resolve(EMPTY);
  // Stream events, not `for await`: an async iterator per request costs more than the small bodies it reads.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('error', reject);
    req.once('close', () => reject(new Error('the client closed the request before its body ended')));
    req.once('end', () => {
      if (size > MAX_BODY_BYTES)
        reject(new ApiError(413, 'too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
  });
}

const EMPTY = Buffer.alloc(0);

async function drain(req: IncomingMessage): Promise<void> {
  req.resume();
  if (!req.readableEnded) await new Promise((r) => req.once('end', r).once('error', r).once('close', r));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function parseJson(body: Buffer): Record<string, any> {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ApiError(400, 'invalid_json', 'The request body must be a JSON object.');
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return v as Record<string, any>;
}

function checkName(what: string, v: unknown): string {
  if (typeof v !== 'string' || !NAME.test(v)) {
    throw new ApiError(
      400,
      'invalid_argument',
      `${what} must match ${NAME.source}, got ${JSON.stringify(v)}.`,
    );
  }
  return v;
}

function checkTags(v: unknown): Tags {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ApiError(400, 'invalid_argument', 'tags must be an object of strings.');
  }
  const tags: Tags = {};
  const entries = Object.entries(v);
  if (entries.length > LIMITS.tagsPerItem)
    throw new ApiError(400, 'invalid_argument', `An item has at most ${LIMITS.tagsPerItem} tags.`);
  for (const [k, val] of entries) {
    if (!TAG_KEY.test(k))
      throw new ApiError(400, 'invalid_argument', `Tag key "${k}" must match ${TAG_KEY.source}.`);
    if (typeof val !== 'string' || val === '' || codePointLength(val) > LIMITS.tagValueLength) {
      throw new ApiError(
        400,
        'invalid_argument',
        `Tag "${k}" must be a non-empty string of at most ${LIMITS.tagValueLength} characters (code points).`,
      );
    }
    tags[k] = val;
  }
  if (!entries.length) throw new ApiError(400, 'invalid_argument', 'tags must not be empty.');
  return tags;
}

function checkMetadata(v: unknown): VersionMetadata {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ApiError(400, 'invalid_argument', 'metadata must be an object.');
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string' || codePointLength(val) > LIMITS.metadataValueLength) {
      throw new ApiError(
        400,
        'invalid_argument',
        `metadata.${k} must be a string of at most ${LIMITS.metadataValueLength} characters.`,
      );
    }
  }
  return v as VersionMetadata;
}

function etag(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const t = header.trim();
  return t === '*' ? '*' : t.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function paging(query: URLSearchParams): { after: string | undefined; size: number } {
  const token = query.get('pageToken');
  let after: string | undefined;
  if (token) {
    try {
      after = Buffer.from(token, 'base64url').toString('utf8');
    } catch {
      after = undefined;
    }
    if (!after || !after.startsWith('it_'))
      throw new ApiError(400, 'invalid_argument', 'pageToken is not valid.');
  }
  const s = query.get('pageSize');
  const size = s === null ? DEFAULT_PAGE_SIZE : Number(s);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new ApiError(
      400,
      'invalid_argument',
      `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}.`,
    );
  }
  return { after, size };
}

function encodeToken(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
