import { resolve } from 'node:path';
import { UsageError } from '@itemstore/core';
import { readFile } from 'node:fs/promises';
import { checkScopes, startServer, type TokenSpec } from '@itemstore/v2';
import { stderr, stdout } from '../io.js';
import { flags, integerFlag, parseCommand } from '../args.js';

const HELP = `Usage: itemstore serve --port N --data DIR (--token T | --tokens FILE) [--latency MS] [--fail-rate 0..1]

Runs the reference Item Store V2 server (SPEC §5) until interrupted. Data under --data survives restarts.
  --port N          port to listen on (0 picks a free one; the URL is printed on stdout)
  --data DIR        where items and contents are kept
  --token T         a bearer token with full rights (or ITEMSTORE_TOKEN)
  --tokens FILE     tokens with scopes, JSON: [{"name": "branch", "token": "…", "scopes": ["write:dev:branch"]}, …]
                    (scopes: read, write:<env>, write:<env>:branch, write:<env>:main, promote:<env>; a token
                    without "scopes" has full rights); with --token too, both are accepted
  --latency MS      delay added to every request (benchmarks)
  --fail-rate R     share of requests (0..1) that answer 503, half before and half after doing the work
  --host H          address to bind (default 127.0.0.1)
  --quiet           no access log on stderr`;

export async function serveCommand(argv: string[]): Promise<number> {
  const values = parseCommand('serve', HELP, argv, {
    ...flags({ port: 'string', data: 'string', token: 'string', tokens: 'string', latency: 'string' }),
    ...flags({ 'fail-rate': 'string' }),
    ...flags({ host: 'string', quiet: 'boolean' }),
  });
  if (!values) return 0;
  const port = integerFlag('--port', values.port ?? '', 0, 0, 65535);
  if (!values.data)
    throw new UsageError('--data DIR is required: the folder where the server keeps its items.');
  const token = values.token ?? process.env.ITEMSTORE_TOKEN;
  const tokens = values.tokens === undefined ? [] : await readTokens(resolve(values.tokens));
  if (!token && !tokens.length)
    throw new UsageError(
      '--token T (or ITEMSTORE_TOKEN) or --tokens FILE is required: the bearer tokens clients send.',
    );
  const latencyMs = integerFlag('--latency', values.latency, 0, 0, 600_000);
  const failRate = values['fail-rate'] === undefined ? 0 : Number(values['fail-rate']);
  if (!(failRate >= 0 && failRate <= 1)) {
    throw new UsageError(`--fail-rate must be a number from 0 to 1, got "${values['fail-rate']}".`);
  }
  const server = await startServer({
    port,
    host: values.host ?? '127.0.0.1',
    dataDir: resolve(values.data),
    ...(token ? { token } : {}),
    tokens,
    latencyMs,
    failRate,
    ...(values.quiet ? {} : { log: (line: string) => stderr(line) }),
  });
  // The URL on stdout (one line) lets scripts and tests start the server on port 0 and read where it is.
  stdout(server.url);
  stderr(`itemstore serve: listening on ${server.url}, data in ${resolve(values.data)}`);
  await new Promise<void>((done) => {
    const stop = () => {
      void server.close().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** The --tokens file: a JSON list of {name, token, scopes?}, checked (an unknown scope is refused by name). */
export async function readTokens(file: string): Promise<TokenSpec[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--tokens ${file} is not a readable JSON file: ${(err as Error).message}.`);
  }
  const list = Array.isArray(json) ? json : (json as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(list) || !list.length)
    throw new UsageError(`--tokens ${file} must hold a non-empty JSON list of {name, token, scopes}.`);
  return list.map((t: unknown, i) => {
    const { name, token, scopes } = (t ?? {}) as { name?: unknown; token?: unknown; scopes?: unknown };
    const what = `--tokens ${file}: entry ${i + 1}${typeof name === 'string' ? ` ("${name}")` : ''}`;
    if (typeof token !== 'string' || !token) throw new UsageError(`${what} has no "token" string.`);
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((x) => typeof x === 'string')))
      throw new UsageError(`${what}: "scopes" must be a list of strings.`);
    try {
      return {
        token,
        ...(typeof name === 'string' ? { name } : {}),
        ...(scopes ? { scopes: checkScopes(scopes as string[], what) } : {}),
      };
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
}
