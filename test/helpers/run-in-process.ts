/**
 * Runs an action's `run()` (actions/<name>/main.ts) inside the test process, with the same INPUT_* variables and
 * runner files as runBundle: a failure gives a stack in the test, and coverage sees the action's code. Environment,
 * stdout and process.exitCode are restored afterwards.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseCommands,
  parseOutputFile,
  repoRoot,
  type BundleOptions,
  type BundleRun,
} from './run-bundle.js';

export async function runInProcess(action: string, options: BundleOptions = {}): Promise<BundleRun> {
  const temp = mkdtempSync(join(tmpdir(), `in-process-${action}-`));
  const outputFile = join(temp, 'github_output');
  const summaryFile = join(temp, 'step_summary');
  const eventFile = join(temp, 'event.json');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  writeFileSync(eventFile, JSON.stringify(options.event ?? {}));
  const env: Record<string, string> = {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_WORKSPACE: options.workspace ?? options.cwd ?? temp,
    GITHUB_REPOSITORY: 'example/dmd-item-storage-v2',
    RUNNER_TEMP: temp,
    ...options.env,
  };
  for (const [k, v] of Object.entries(options.inputs ?? {}))
    env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;

  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  const savedExitCode = process.exitCode;
  const write = process.stdout.write.bind(process.stdout);
  let stdout = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  Object.assign(process.env, env);
  process.exitCode = undefined;
  let exitCode: number | null;
  try {
    const { run } = (await import(join(repoRoot, 'actions', action, 'main.ts'))) as {
      run: () => Promise<void>;
    };
    await run();
  } finally {
    exitCode = Number(process.exitCode ?? 0);
    process.exitCode = savedExitCode;
    process.stdout.write = write;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return {
    exitCode,
    stdout,
    stderr: '',
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    commands: parseCommands(stdout),
    runnerTemp: temp,
  };
}
