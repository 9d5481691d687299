/**
 * `itemstore demo`: runs the scenario (scenario.ts) against servers started here, printing each workflow's steps
 * as they finish and each job summary as terminal text, then every check. Stops its servers and every child
 * process group on the way out, also on Ctrl-C and SIGTERM. Returns the exit code (0 when every check holds).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Playground } from './playground.js';
import { findSuiteRoot, type StepRun, type WorkflowRun } from '@itemstore/workflow-runner';
import { DEMO_STEPS, type ScenarioStep } from './scenario.js';
import { localS3Client } from './state.js';
import { summaryToText } from './terminal.js';

export interface DemoOptions {
  /** Where action-templates/, actions/ and dist/ are (default: found upwards from this file). */
  suiteRoot?: string;
  /** Resolve s3rver from here (default: this module). */
  resolveFrom?: string;
  /** Print job summaries (default true). */
  summaries?: boolean;
  /** Print every step's log. */
  verbose?: boolean;
  /** Keep the temp folder. */
  keep?: boolean;
  /** The steps to run (default: DEMO_STEPS).  */
  steps?: readonly ScenarioStep[];
  write?: (text: string) => void;
}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const green = (s: string): string => paint('32', s);
const red = (s: string): string => paint('31', s);
const dim = (s: string): string => paint('2', s);
const bold = (s: string): string => paint('1', s);

export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const write = options.write ?? ((t: string) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'));
  const started = Date.now();
  const suiteRoot = options.suiteRoot ?? findSuiteRoot(dirname(fileURLToPath(import.meta.url)));
  const steps = options.steps ?? DEMO_STEPS;
  const indent = (text: string, n: number): string =>
    text
      .split('\n')
      .map((l) => (l ? ' '.repeat(n) + l : l))
      .join('\n');

  let pg: Playground | undefined;
  const onStep = (event: 'start' | 'end', _job: string, step: StepRun): void => {
    if (event !== 'end') return;
    const mark =
      step.conclusion === 'success' ? green('✓') : step.conclusion === 'failure' ? red('✗') : dim('○');
    const time = step.conclusion === 'skipped' ? '' : `${(step.durationMs / 1000).toFixed(1)} s`;
    const note = step.note ? dim(`  ${step.note}`) : '';
    write(`    ${mark} ${step.name.padEnd(54)} ${time.padStart(6)}${note}`);
    if (step.conclusion === 'failure' || options.verbose) {
      const log = pg?.runner.mask(`${step.stdout}${step.stderr}`).trim() ?? '';
      if (log) write(dim(indent(log.split('\n').slice(-40).join('\n'), 8)));
    }
  };

  // Ctrl-C and SIGTERM: stop the servers and every child group, then leave.
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= pg ? pg.stop() : Promise.resolve());
  const onSignal = (signal: NodeJS.Signals): void => {
    write(`\n${signal}: stopping the demo's servers and processes…`);
    void stop().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const onExit = (): void => pg?.processes.killAllNow();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);

  let failures = 0;
  const results: { step: ScenarioStep; ok: boolean; ms: number }[] = [];
  try {
    pg = await Playground.start({
      suiteRoot,
      onStep,
      onRunEnd: (r) => printRun(r),
      onRun: (file, name, runId) =>
        write(`  ▶ ${bold(file.split('/').pop() ?? file)} (${name}) run ${runId}`),
      ...(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {}),
      ...(options.keep ? { keep: true } : {}),
    });
    const s3 = localS3Client(pg.s3.endpoint);
    write(
      bold(
        'itemstore demo: the config repo workflows (action-templates/), run locally the way GitHub runs them',
      ),
    );
    write(
      dim(
        `  V2 reference server ${pg.v2.url} · S3 (s3rver) ${pg.s3.endpoint} · config repo ${pg.repo.dir}\n` +
          `  actions: ${suiteRoot}/dist · templates: ${suiteRoot}/action-templates`,
      ),
    );
    for (const [i, step] of steps.entries()) {
      const t0 = Date.now();
      write('');
      write(
        bold(`━━ ${i + 1}/${steps.length}  ${step.title} ${'━'.repeat(Math.max(3, 70 - step.title.length))}`),
      );
      write(step.story);
      const runs = await step.act(pg);
      const checks = await step.check(pg, runs, s3);
      const ok = checks.every((c) => c.ok);
      write('  checks:');
      for (const c of checks) write(`    ${c.ok ? green('✓') : red('✗')} ${c.text}`);
      if (!ok) failures++;
      results.push({ step, ok, ms: Date.now() - t0 });
    }
    s3.destroy();
  } catch (err) {
    failures++;
    write(red(`demo stopped: ${(err as Error).message}`));
  } finally {
    await stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }

  write('');
  write(bold('Summary'));
  for (const r of results) {
    write(
      `  ${r.ok ? green('✓') : red('✗')} ${r.step.title.padEnd(60)} ${(r.ms / 1000).toFixed(1).padStart(5)} s`,
    );
  }
  const total = ((Date.now() - started) / 1000).toFixed(1);
  write(
    failures
      ? red(`${failures} step(s) failed; total ${total} s. Servers stopped.`)
      : green(`All ${results.length} steps green in ${total} s. Servers stopped, no process left behind.`),
  );
  return failures ? 1 : 0;

  function printRun(r: WorkflowRun): void {
    const file = r.file.split('/').pop() ?? r.file;
    if (!r.triggered) {
      write(dim(`  ○ ${file} (${r.name}): not triggered: ${r.reason ?? ''}`));
      return;
    }
    const mark = r.conclusion === 'success' ? green('✓') : r.conclusion === 'failure' ? red('✗') : dim('○');
    for (const j of r.jobs)
      if (j.conclusion === 'skipped') write(dim(`    job ${j.id} skipped: ${j.note ?? ''}`));
    if (options.summaries !== false && r.summary.trim()) {
      write(dim('    ┄┄ job summary ┄┄'));
      write(indent(summaryToText(r.summary, { width: 150 }), 4));
    }
    write(`  ${mark} ${file}: ${r.conclusion}`);
  }
}
