import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommands, parseOutputFile } from '@itemstore/workflow-runner';

// The runner's file-command and workflow-command formats are parsed by the demo's local runner; tests share it.
export { parseCommands, parseOutputFile };

export const repoRoot = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..');

/** The Node that runs bundles: ITEMSTORE_TEST_NODE (Node 24 in .ci/run, as on the runner) or this one. */
export const bundleNode = process.env.ITEMSTORE_TEST_NODE || process.execPath;

export interface BundleRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Parsed from the GITHUB_OUTPUT file, as the runner does (handles the heredoc form). */
  outputs: Record<string, string>;
  /** The GITHUB_STEP_SUMMARY file's content. */
  summary: string;
  /** `::error file=...::message` lines and the like. */
  commands: { command: string; properties: Record<string, string>; message: string }[];
  runnerTemp: string;
}

export interface BundleOptions {
  inputs?: Record<string, string>;
  eventName?: string;
  event?: unknown;
  env?: Record<string, string>;
  workspace?: string;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs `node dist/<action>/index.js` the way the runner does: INPUT_* variables and the runner's files. */
export async function runBundle(action: string, options: BundleOptions = {}): Promise<BundleRun> {
  const bundle = join(repoRoot, 'dist', action, 'index.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build`);
  const temp = mkdtempSync(join(tmpdir(), `runner-${action}-`));
  const outputFile = join(temp, 'github_output');
  const summaryFile = join(temp, 'step_summary');
  const eventFile = join(temp, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  writeFileSync(eventFile, JSON.stringify(options.event ?? {}));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? temp,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_WORKSPACE: options.workspace ?? options.cwd ?? temp,
    GITHUB_REPOSITORY: 'example/dmd-item-storage-v2',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    RUNNER_TEMP: temp,
    ...options.env,
  };
  for (const [k, v] of Object.entries(options.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(bundleNode, [bundle], {
    cwd: options.cwd ?? options.workspace ?? temp,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const exitCode = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  clearTimeout(timeout);
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    commands: parseCommands(stdout),
    runnerTemp: temp,
  };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`node dist/cli/itemstore.js ARGS`) in `cwd` with only PATH, HOME and `env` set. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliRun> {
  const child = spawn(bundleNode, [join(repoRoot, 'dist', 'cli', 'itemstore.js'), ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}
