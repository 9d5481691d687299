/**
 * Child processes for crash and restart tests: a small bundle of the CLI's `serve` and `deploy` commands (built
 * with esbuild from the sources, so these tests do not depend on dist/ being fresh), started with real signals.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '../../../..');
let built: Promise<string> | undefined;

/** `node <bundle> serve|deploy ...` runs that command exactly as `itemstore` would. */
export function testCli(): Promise<string> {
  built ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'v2-cli-')), 'cli.mjs');
    const commands = join(root, 'packages/cli/src');
    await build({
      stdin: {
        contents: [
          `import { serveCommand } from ${JSON.stringify(join(commands, 'commands/serve.ts'))};`,
          `import { deployCommand } from ${JSON.stringify(join(commands, 'commands/deploy.ts'))};`,
          `const [name, ...rest] = process.argv.slice(2);`,
          `const command = name === 'serve' ? serveCommand : deployCommand;`,
          `process.exitCode = await command(rest).catch((e) => { console.error(String(e && e.message)); return 1; });`,
        ].join('\n'),
        resolveDir: root,
        loader: 'ts',
      },
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      banner: {
        js: "import { createRequire as __testCreateRequire } from 'node:module'; const require = __testCreateRequire(import.meta.url);",
      },
    });
    return out;
  })();
  return built;
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export async function spawnCli(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const cli = await testCli();
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** `itemstore serve` in a child process; resolves once it prints its URL. */
export async function serveProcess(args: string[]): Promise<Proc & { url: string }> {
  const p = await spawnCli(['serve', '--quiet', ...args]);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${p.stderr()}`)), 15_000);
    const check = () => {
      const line = p.stdout().split('\n')[0];
      if (line?.startsWith('http')) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    };
    p.child.stdout!.on('data', check);
    void p.exited.then((code) => reject(new Error(`server exited ${code}: ${p.stderr()}`)));
  });
  return { ...p, url };
}
