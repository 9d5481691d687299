import { ConfigError, ConfigErrors, UsageError } from '@itemstore/core';
import type { ItemStoreError } from '@itemstore/v2';
import pkg from '../../../package.json' with { type: 'json' };
import { closest } from './args.js';
import { stderr } from './io.js';

/** The suite's version (the root package.json, bundled into the CLI at build time). */
export const VERSION: string = (pkg as { version: string }).version;

/**
 * Each command is its own module, loaded only when called, so `itemstore convert` does not pay for the AWS SDK.
 * A command returns the process exit code.
 */
export type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  convert: {
    summary: 'convert to-v2|to-config-list|to-legacy|from-legacy <file> [-o OUT]',
    load: async () => (await import('./commands/convert.js')).convertCommand,
  },
  resolve: {
    summary: 'resolve [--repo DIR] [--branch B] [--json] [paths...]   team, namespace, tags, targets, S3 key',
    load: async () => (await import('./commands/resolve.js')).resolveCommand,
  },
  plan: {
    summary:
      'plan [--repo DIR] [--base REV] [--url URL --token T]   what a push of this checkout would do (no writes)',
    load: async () => (await import('./commands/plan.js')).planCommand,
  },
  detect: {
    summary:
      'detect [--repo DIR] [--base SHA] [--head SHA] [--branch B] [--json]   what changed between two commits',
    load: async () => (await import('./commands/detect.js')).detectCommand,
  },
  serve: {
    summary:
      'serve --port N --data DIR --token T [--latency MS] [--fail-rate 0..1]   the reference V2 server',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  deploy: {
    summary: 'deploy --url URL [--token T] [--repo DIR] [--dry-run] ...   write configs to Item Store V2',
    load: async () => (await import('./commands/deploy.js')).deployCommand,
  },
  'sync-s3': {
    summary: 'sync-s3 [--repo DIR] [--manifest FILE | --full] [--dry-run] ...   write default/ configs to S3',
    load: async () => (await import('./commands/sync-s3.js')).syncS3Command,
  },
  validate: {
    summary:
      'validate [--against repo|s3-vs-v2] [--environment ENV] [--fix --source s3|repo --yes]   drift report',
    load: async () => (await import('./commands/validate.js')).validateCommand,
  },
  promote: {
    summary: 'promote --from ENV --to ENV [--paths P] [--dry-run] [--s3-sync on|off]   next environment only',
    load: async () => (await import('./commands/promote.js')).promoteCommand,
  },
  history: {
    summary:
      'history <config path> [--environment ENV] [--json]   versions per environment with the audit trail',
    load: async () => (await import('./commands/history.js')).historyCommand,
  },
  'cleanup-branch': {
    summary:
      "cleanup-branch <branch> [--repo DIR] [--dry-run]   tombstone a deleted feature branch's items in V2 dev",
    load: async () => (await import('./commands/cleanup-branch.js')).cleanupBranchCommand,
  },
  migrate: {
    summary: 'migrate --repo DIR (--from s3://B/P | --from-dir DIR) [--steps ...]   S3 (V0) → repo and V2',
    load: async () => (await import('./commands/migrate.js')).migrateCommand,
  },
  'audit-yaml11': {
    summary:
      'audit-yaml11 [--repo DIR] [--environments LIST] [--no-s3]   scalars YAML 1.1 and 1.2 read differently',
    load: async () => (await import('./commands/audit-yaml11.js')).auditYaml11Command,
  },
  init: {
    summary:
      'init [--repo DIR]   copy the editor schemas of item-store.yaml and tags.yaml into the config repo',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  demo: {
    summary: 'demo [--no-summaries] [--verbose] [--keep]   the workflows end to end on local servers',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return [
    'Usage: itemstore <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `itemstore <command> --help` for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`itemstore ${VERSION}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    const guess = closest(name, Object.keys(commands));
    stderr(`itemstore: unknown command "${name}".${guess ? ` Did you mean "${guess}"?` : ''}\n\n${usage()}`);
    return 2;
  }
  try {
    return await (
      await entry.load()
    )(rest);
  } catch (err) {
    return reportError(err);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof ConfigErrors) {
    for (const e of err.errors) stderr(`error: ${e.toString()}`);
    stderr(`${err.errors.length} problem${err.errors.length === 1 ? '' : 's'} found.`);
    return 1;
  }
  if (err instanceof ConfigError) {
    stderr(`error: ${err.toString()}`);
    return 1;
  }
  if (err instanceof UsageError) {
    stderr(`itemstore: ${err.message}`);
    return 2;
  }
  const operational = operationalMessage(err);
  if (operational) {
    stderr(`itemstore: ${operational}`);
    if (process.env.ITEMSTORE_DEBUG && err instanceof Error) stderr(err.stack ?? '');
    return 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  stderr(`itemstore: unexpected failure (a bug): ${process.env.ITEMSTORE_DEBUG ? e.stack : e.message}`);
  return 70;
}

/**
 * An operational failure (wrong token, unreachable server, DNS, TLS, timeouts) as one sentence that names the
 * cause and the fix; undefined for anything else.
 */
export function operationalMessage(err: unknown): string | undefined {
  if (!isItemStoreError(err)) return undefined;
  const d = err.details;
  const where = d.url ?? 'the Item Store';
  const host = (() => {
    try {
      return new URL(where).host;
    } catch {
      return where;
    }
  })();
  if (d.status === 401)
    return `Item Store V2 at ${where} refused the token (401 ${d.code ?? 'unauthenticated'}): pass a valid token with --token or ITEMSTORE_TOKEN.`;
  // A missing token scope: the client's message already names the scope and which token has it.
  if (d.status === 403 && d.requiredScope) return err.message;
  if (d.status === 403)
    return `Item Store V2 at ${where} does not let this token do that (403 ${d.code ?? 'forbidden'}): use a token with write access to this environment.`;
  const code = d.networkCode;
  if (code === 'ECONNREFUSED')
    return `Nothing answers at ${where} (connection refused after ${d.attempts} attempts): check --url (or ITEMSTORE_URL) and that the server is running.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `The host name ${host} does not resolve (DNS ${code}): check --url (or ITEMSTORE_URL) and your network or VPN.`;
  if (
    code &&
    /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_SSL_)/.test(
      code,
    )
  )
    return `The TLS certificate of ${host} could not be verified (${code}): check the URL, or trust your company's CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.`;
  if (d.timedOut)
    return `Item Store V2 at ${where} did not answer in time (${d.attempts} attempts): check the URL and your network.`;
  if (code)
    return `The connection to ${where} failed (${code}, ${d.attempts} attempts): check --url and your network.`;
  if (d.status !== undefined && d.status >= 500)
    return `Item Store V2 at ${where} kept failing (${d.status}${d.code ? ` ${d.code}` : ''} after ${d.attempts} attempts, request id ${d.requestId ?? 'none'}): try again later, or tell the Item Store team the request id.`;
  return undefined;
}

/**
 * The V2 client's failure, known by name (as action-kit knows it): importing the client here would load it, with
 * the config reader and the YAML parser, into every start of the CLI, `--help` included.
 */
function isItemStoreError(err: unknown): err is ItemStoreError {
  return err instanceof Error && err.name === 'ItemStoreError' && 'details' in err;
}
