/**
 * A local runner for the config repo's workflows: it reads a workflow file (a template from action-templates/),
 * decides whether the event triggers it, and runs its jobs' steps in order the way the GitHub runner does:
 * - `uses: <action repo>/actions/<name>@<sha>` (or `./actions/<name>`) runs `node dist/<name>/index.js` from this
 *   suite, with `INPUT_*` from `with:` (evaluated) and the action.yml defaults, and the runner's files
 *   (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV, GITHUB_EVENT_PATH) and variables (GITHUB_REF, GITHUB_SHA, …);
 * - `run:` runs the script with bash, env from `env:` (the templates never put `${{ }}` inside a script);
 * - actions/checkout and aws-actions/configure-aws-credentials are simulated (builtins.ts);
 * - `if:` conditions, `${{ }}` in `with:`/`env:`, step and job outputs, `needs`, `continue-on-error`.
 * Anything else (matrix, containers, unknown third-party actions) fails loudly rather than being faked.
 */
import { LocalActionsApi } from './actions-api.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import {
  checkoutStep,
  configureAwsCredentialsStep,
  uploadArtifactStep,
  type BuiltinContext,
} from './builtins.js';
import { evaluateCondition, interpolate, toText, type Contexts, type Value } from './expressions.js';
import type { ProcessGroups } from './processes.js';
import {
  dispatchInputs,
  loadWorkflow,
  triggers,
  type JobSpec,
  type StepSpec,
  type WorkflowSpec,
} from './workflow.js';

export interface RunnerConfig {
  /** Root of this suite: holds actions/<name>/action.yml and dist/<name>/index.js. */
  suiteRoot: string;
  /** owner/repo the templates reference the actions by (placeholder in the templates). */
  actionRepository: string;
  /** owner/repo of the config repo (GITHUB_REPOSITORY). */
  repository: string;
  /** URL actions/checkout and the actions' git fetches use as `origin` (a file:// bare repository). */
  remoteUrl: string;
  defaultBranch: string;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  /**
   * GitHub environments (Settings → Environments): a job whose `environment:` names one gets its secrets over the
   * repository's, and fails before any step when its branch is not in the environment's deployment branch policy
   * (`branches`; absent: every branch), as GitHub does.
   */
  environments?: Record<string, { secrets?: Record<string, string>; branches?: string[] }>;
  /** What the simulated OIDC exchange of configure-aws-credentials hands out (local S3 keys). */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** Where each job's workspace and RUNNER_TEMP are made. */
  tempDir: string;
  processes: ProcessGroups;
  /** Where the bundles are (default: <suiteRoot>/dist, where each action.yml's `main` points). */
  distDir?: string;
  /** Node for the action bundles (default: this one). */
  nodePath?: string;
  /** Called when a triggered workflow starts (live progress in the demo). */
  onRun?: (file: string, name: string, runId: number) => void;
  /** Called when a workflow run ends, or when the event does not trigger it. */
  onRunEnd?: (run: WorkflowRun) => void;
  /** Called when a step starts and when it ends (live progress in the demo). */
  onStep?: (event: 'start' | 'end', job: string, step: StepRun) => void;
  /** Per-step time limit (default 120 s). */
  stepTimeoutMs?: number;
}

export interface WorkflowEvent {
  eventName: string;
  payload: Record<string, unknown>;
  /** GITHUB_REF */
  ref: string;
  /** GITHUB_SHA */
  sha: string;
  /** pull_request: head and base branch names (GITHUB_HEAD_REF, GITHUB_BASE_REF). */
  headRef?: string;
  baseRef?: string;
  /** workflow_dispatch inputs (checked against on.workflow_dispatch.inputs like GitHub does). */
  inputs?: Record<string, string | boolean | number>;
  /** Overrides vars for this run only (e.g. ITEMSTORE_S3_SYNC=off). */
  vars?: Record<string, string>;
}

export type Conclusion = 'success' | 'failure' | 'skipped';

export interface Annotation {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface StepRun {
  index: number;
  id?: string;
  name: string;
  uses?: string;
  /** The `with:` values after evaluation (secrets included: do not print). */
  inputs: Record<string, string>;
  conclusion: Conclusion;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  annotations: Annotation[];
  exitCode: number | null;
  durationMs: number;
  /** Why a step was skipped or what a simulated step did. */
  note?: string;
}

export interface JobRun {
  id: string;
  name: string;
  conclusion: Conclusion;
  note?: string;
  steps: StepRun[];
  outputs: Record<string, string>;
  workspace?: string;
}

export interface WorkflowRun {
  file: string;
  name: string;
  triggered: boolean;
  reason?: string;
  conclusion: Conclusion;
  jobs: JobRun[];
  /** Every job's step summaries, in order (what GitHub shows on the run page). */
  summary: string;
  runId: number;
}

let runCounter = 4000;

/**
 * A job's github.token: one per job, masked like a secret, accepted only by the local Actions API, which gives it
 * the job's `permissions:` (read-only for a pull request from a fork, as GitHub does).
 */
const jobToken = (runId: number, jobId: string): string => `ghs_local_${runId}_${jobId}`;

/** A pull_request run whose head is in another repository: GitHub gives it no secrets and a read-only token. */
export function isForkPullRequest(event: WorkflowEvent, repository: string): boolean {
  if (event.eventName !== 'pull_request') return false;
  const head = (event.payload.pull_request as { head?: { repo?: { full_name?: string } } } | undefined)?.head;
  const name = head?.repo?.full_name;
  return typeof name === 'string' && name !== repository;
}

export class WorkflowRunner {
  private readonly masks = new Set<string>();
  private readonly jobGroups: number[] = [];
  /** The GitHub REST endpoints the actions call, answered from this runner's own run history. */
  readonly api: LocalActionsApi;
  private apiUrl = '';
  /** The github context of the run in progress (action.yml defaults such as `${{ github.token }}` read it). */
  private github: Record<string, Value> = {};

  constructor(readonly config: RunnerConfig) {
    this.api = new LocalActionsApi(config.repository);
  }

  /** Runs a workflow file for an event; an event the workflow does not listen to gives `triggered: false`. */
  async run(file: string, event: WorkflowEvent): Promise<WorkflowRun> {
    const wf = loadWorkflow(file);
    const runId = ++runCounter;
    const gate = triggers(wf, {
      eventName: event.eventName,
      ref: event.ref,
      ...(event.baseRef ? { baseRef: event.baseRef } : {}),
      ...(typeof event.payload.action === 'string' ? { action: event.payload.action } : {}),
      ...(event.eventName === 'workflow_run'
        ? { workflowName: String((event.payload.workflow_run as { name?: unknown } | undefined)?.name ?? '') }
        : {}),
    });
    if (!gate.runs) {
      return this.ended({
        file,
        name: wf.name,
        triggered: false,
        reason: gate.reason,
        conclusion: 'skipped',
        jobs: [],
        summary: '',
        runId,
      });
    }
    const fork = isForkPullRequest(event, this.config.repository);
    const pr = event.payload.pull_request as
      { number?: number; head?: { sha?: string; repo?: { full_name?: string } } } | undefined;
    if (event.eventName === 'pull_request' && pr?.number && pr.head?.sha) {
      this.api.setPullRequest(pr.number, pr.head.sha, pr.head.repo?.full_name ?? this.config.repository);
    }
    const secrets = fork ? {} : this.config.secrets;
    for (const v of Object.values(secrets)) if (v) this.masks.add(v);
    this.apiUrl = await this.api.address();
    this.api.begin(runId, file);
    this.config.onRun?.(file, wf.name, runId);
    const inputs = event.eventName === 'workflow_dispatch' ? checkDispatchInputs(wf, event.inputs ?? {}) : {};
    const payload =
      event.eventName === 'workflow_dispatch'
        ? {
            ...event.payload,
            inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])),
          }
        : event.payload;
    const vars = { ...this.config.vars, ...(event.vars ?? {}) };
    const github = this.githubContext(wf, { ...event, payload }, runId);
    this.github = github;

    const jobRuns: JobRun[] = [];
    const done = new Map<string, JobRun>();
    for (const [jobId, job] of orderJobs(wf.jobs)) {
      const needs = asList(job.needs);
      const needsCtx: Record<string, Value> = {};
      for (const n of needs) {
        const r = done.get(n);
        needsCtx[n] = { result: r?.conclusion ?? 'skipped', outputs: r?.outputs ?? {} };
      }
      const upstreamFailed = needs.some((n) => done.get(n)?.conclusion !== 'success');
      const ctx: Contexts = {
        github: { ...github, job: jobId },
        vars,
        secrets,
        inputs,
        needs: needsCtx,
        env: {},
      };
      let runIt: boolean;
      try {
        runIt = evaluateCondition(job.if, ctx, { jobFailed: upstreamFailed });
      } catch (err) {
        throw new Error(`${basename(file)}: jobs.${jobId}.if: ${(err as Error).message}`, { cause: err });
      }
      const jobRun: JobRun = {
        id: jobId,
        name: job.name ?? jobId,
        conclusion: 'skipped',
        steps: [],
        outputs: {},
      };
      const environment = runIt ? this.jobEnvironment(file, jobId, job, ctx, secrets, event) : undefined;
      if (environment?.refused) {
        jobRun.conclusion = 'failure';
        jobRun.note = environment.refused;
      } else if (runIt) {
        const jobSecrets = environment?.secrets ?? secrets;
        await this.runJob(
          wf,
          jobId,
          job,
          {
            github: { ...github, job: jobId },
            vars,
            inputs,
            needs: needsCtx,
            secrets: jobSecrets,
            fork,
            runId,
          },
          event,
          jobRun,
        );
      } else {
        jobRun.note = upstreamFailed ? 'a job it needs did not succeed' : `if: ${String(job.if)} is false`;
      }
      jobRuns.push(jobRun);
      done.set(jobId, jobRun);
    }
    const conclusion: Conclusion = jobRuns.some((j) => j.conclusion === 'failure')
      ? 'failure'
      : jobRuns.some((j) => j.conclusion === 'success')
        ? 'success'
        : 'skipped';
    this.api.end({
      id: runId,
      workflowFile: file,
      event: event.eventName,
      branch: event.ref.replace(/^refs\/heads\//, ''),
      headSha: event.sha,
      conclusion,
    });
    return this.ended({
      file,
      name: wf.name,
      triggered: true,
      conclusion,
      jobs: jobRuns,
      summary: jobRuns
        .flatMap((j) => j.steps.map((s) => s.summary))
        .filter(Boolean)
        .join('\n'),
      runId,
    });
  }

  /**
   * The job's GitHub environment (`environment:` a name or `{name}`, expressions allowed): its secrets over the
   * repository's, or why GitHub would refuse the job (a branch outside the deployment branch policy).
   */
  private jobEnvironment(
    file: string,
    jobId: string,
    job: JobSpec,
    ctx: Contexts,
    secrets: Record<string, string>,
    event: WorkflowEvent,
  ): { secrets: Record<string, string>; refused?: string } | undefined {
    const raw =
      typeof job.environment === 'object' && job.environment !== null
        ? (job.environment as { name?: unknown }).name
        : job.environment;
    if (raw === undefined || raw === null || raw === '') return undefined;
    let name: string;
    try {
      name = toText(typeof raw === 'string' ? interpolate(raw, ctx) : (raw as Value));
    } catch (err) {
      throw new Error(`${basename(file)}: jobs.${jobId}.environment: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const env = this.config.environments?.[name];
    if (!name || !env) return { secrets };
    const branch = event.ref.replace(/^refs\/heads\//, '');
    if (env.branches && !env.branches.includes(branch)) {
      return {
        secrets,
        refused: `Branch "${branch}" is not allowed to deploy to ${name} due to environment protection rules.`,
      };
    }
    for (const v of Object.values(env.secrets ?? {})) if (v) this.masks.add(v);
    // A pull request from a fork gets no secrets at all, environment secrets included.
    return { secrets: Object.keys(secrets).length ? { ...secrets, ...env.secrets } : secrets };
  }

  private ended(run: WorkflowRun): WorkflowRun {
    this.config.onRunEnd?.(run);
    return run;
  }

  /** Replaces every secret and ::add-mask:: value with *** (for printing logs). */
  mask(text: string): string {
    let out = text;
    for (const m of this.masks) if (m.length >= 3) out = out.split(m).join('***');
    return out;
  }

  private githubContext(wf: WorkflowSpec, event: WorkflowEvent, runId: number): Record<string, Value> {
    const refName = event.ref.replace(/^refs\/(heads|tags)\//, '');
    return {
      event_name: event.eventName,
      event: event.payload as Value,
      ref: event.ref,
      ref_name: refName,
      ref_type: event.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      sha: event.sha,
      head_ref: event.headRef ?? '',
      base_ref: event.baseRef ?? '',
      repository: this.config.repository,
      repository_owner: this.config.repository.split('/')[0] ?? '',
      run_id: String(runId),
      run_number: String(runId - 4000),
      run_attempt: '1',
      workflow: wf.name,
      actor: 'demo-user',
      server_url: 'https://github.com',
      api_url: 'https://api.github.com',
    };
  }

  private async runJob(
    wf: WorkflowSpec,
    jobId: string,
    job: JobSpec,
    base: {
      github: Record<string, Value>;
      vars: Record<string, string>;
      inputs: Record<string, Value>;
      needs: Record<string, Value>;
      secrets: Record<string, string>;
      fork: boolean;
      runId: number;
    },
    event: WorkflowEvent,
    jobRun: JobRun,
  ): Promise<void> {
    if (job.strategy)
      throw new Error(
        `${basename(wf.file)}: jobs.${jobId}: strategy/matrix is not supported by the local runner`,
      );
    const root = mkdtempSync(join(this.config.tempDir, `job-${jobId}-`));
    const workspace = join(root, 'workspace');
    const runnerTemp = join(root, 'temp');
    mkdirSync(workspace);
    mkdirSync(runnerTemp);
    jobRun.workspace = workspace;
    const eventPath = join(runnerTemp, 'event.json');
    writeFileSync(eventPath, JSON.stringify(base.github.event, null, 2));

    const token = jobToken(base.runId, jobId);
    this.masks.add(token);
    this.api.grant(token, jobPermissions(wf, job, base.fork));
    const github = { ...base.github, workspace, event_path: eventPath, token };
    this.github = github;
    const stepsCtx: Record<string, Value> = {};
    const jobEnv: Record<string, string> = {}; // from GITHUB_ENV
    let failed = false;

    const contexts = (env: Record<string, string>): Contexts => ({
      github,
      vars: base.vars,
      secrets: base.secrets,
      inputs: base.inputs,
      needs: base.needs,
      steps: stepsCtx,
      env,
      runner: { os: 'Linux', arch: 'X64', temp: runnerTemp, name: 'local-demo-runner' },
      job: { status: failed ? 'failure' : 'success' },
    });
    const evalMap = (
      map: Record<string, unknown> | undefined,
      ctx: Contexts,
      where: string,
    ): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(map ?? {})) {
        try {
          out[k] = toText(typeof v === 'string' ? interpolate(v, ctx) : (v as Value));
        } catch (err) {
          throw new Error(`${basename(wf.file)}: ${where}.${k}: ${(err as Error).message}`, { cause: err });
        }
      }
      return out;
    };

    const wfEnv = evalMap(wf.env, contexts({}), 'env');
    const baseEnv = { ...wfEnv, ...evalMap(job.env, contexts(wfEnv), `jobs.${jobId}.env`) };

    for (const [index, spec] of (job.steps ?? []).entries()) {
      const where = `jobs.${jobId}.steps[${index}]`;
      const env = { ...baseEnv, ...jobEnv };
      const step: StepRun = {
        index,
        ...(spec.id ? { id: spec.id } : {}),
        name: stepName(spec),
        ...(spec.uses ? { uses: spec.uses } : {}),
        inputs: {},
        conclusion: 'skipped',
        outputs: {},
        summary: '',
        stdout: '',
        stderr: '',
        annotations: [],
        exitCode: null,
        durationMs: 0,
      };
      jobRun.steps.push(step);
      let runIt: boolean;
      try {
        runIt = evaluateCondition(spec.if, contexts(env), { jobFailed: failed });
      } catch (err) {
        throw new Error(`${basename(wf.file)}: ${where}.if: ${(err as Error).message}`, { cause: err });
      }
      if (!runIt) {
        step.note =
          failed && spec.if === undefined ? 'an earlier step failed' : `if: ${String(spec.if)} is false`;
        if (spec.id) stepsCtx[spec.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
        this.config.onStep?.('end', jobId, step);
        continue;
      }
      const stepEnv = { ...env, ...evalMap(spec.env, contexts(env), `${where}.env`) };
      step.inputs = evalMap(spec.with, contexts(stepEnv), `${where}.with`);
      this.config.onStep?.('start', jobId, step);
      const started = Date.now();
      const files = stepFiles(runnerTemp, index);
      const runnerEnv = this.runnerEnv(github, event, workspace, runnerTemp, eventPath, files);
      let outcome: Conclusion;
      try {
        outcome = await this.runStep(
          spec,
          step,
          { ...runnerEnv, ...stepEnv },
          workspace,
          runnerTemp,
          jobEnv,
          job,
          wf,
          where,
        );
      } catch (err) {
        step.stderr += `${(err as Error).message}\n`;
        step.annotations.push({ command: 'error', properties: {}, message: (err as Error).message });
        outcome = 'failure';
      }
      step.durationMs = Date.now() - started;
      // The runner's files, read after the step as the runner does.
      step.outputs = { ...step.outputs, ...parseOutputFile(readFileSync(files.output, 'utf8')) };
      step.summary += readFileSync(files.summary, 'utf8');
      Object.assign(jobEnv, parseOutputFile(readFileSync(files.env, 'utf8')));
      const continueOnError = spec['continue-on-error'] === true || spec['continue-on-error'] === 'true';
      step.conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
      if (spec.id) stepsCtx[spec.id] = { outputs: step.outputs, outcome, conclusion: step.conclusion };
      if (step.conclusion === 'failure') failed = true;
      this.config.onStep?.('end', jobId, step);
    }
    // Like the runner's "Cleaning up orphan processes": what a step left running in the background ends with the job.
    for (const pgid of this.jobGroups.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // the group is gone
      }
    }
    jobRun.conclusion = failed ? 'failure' : 'success';
    jobRun.outputs = evalMap(job.outputs, contexts({ ...baseEnv, ...jobEnv }), `jobs.${jobId}.outputs`);
  }

  private runnerEnv(
    github: Record<string, Value>,
    event: WorkflowEvent,
    workspace: string,
    runnerTemp: string,
    eventPath: string,
    files: { output: string; summary: string; env: string; path: string },
  ): Record<string, string> {
    const refName = toText(github.ref_name ?? '');
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? runnerTemp,
      LANG: 'C.UTF-8',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: event.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REF: event.ref,
      GITHUB_REF_NAME:
        event.eventName === 'pull_request' ? toText(event.payload.number as Value) + '/merge' : refName,
      GITHUB_REF_TYPE: toText(github.ref_type ?? 'branch'),
      GITHUB_SHA: event.sha,
      GITHUB_HEAD_REF: event.headRef ?? '',
      GITHUB_BASE_REF: event.baseRef ?? '',
      GITHUB_REPOSITORY: this.config.repository,
      GITHUB_REPOSITORY_OWNER: this.config.repository.split('/')[0] ?? '',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: this.apiUrl,
      GITHUB_RUN_ID: toText(github.run_id ?? ''),
      GITHUB_RUN_NUMBER: toText(github.run_number ?? ''),
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: toText(github.workflow ?? ''),
      GITHUB_JOB: toText(github.job ?? ''),
      GITHUB_ACTOR: 'demo-user',
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      // A clean runner: no developer git config leaks in.
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
    };
  }

  private async runStep(
    spec: StepSpec,
    step: StepRun,
    env: Record<string, string>,
    workspace: string,
    runnerTemp: string,
    jobEnv: Record<string, string>,
    job: JobSpec,
    wf: WorkflowSpec,
    where: string,
  ): Promise<Conclusion> {
    if (spec.run !== undefined && spec.uses !== undefined)
      throw new Error(`${where} has both run: and uses:`);
    if (spec.run !== undefined) {
      const shell = spec.shell ?? job.defaults?.run?.shell ?? 'bash';
      const cwd = resolve(
        workspace,
        spec['working-directory'] ?? job.defaults?.run?.['working-directory'] ?? '.',
      );
      const script = join(runnerTemp, `step-${step.index}.sh`);
      writeFileSync(script, spec.run);
      const [cmd, args] =
        shell === 'bash'
          ? ['bash', ['--noprofile', '--norc', '-eo', 'pipefail', script]]
          : shell === 'sh'
            ? ['sh', ['-e', script]]
            : (() => {
                throw new Error(`${where}: shell "${shell}" is not supported by the local runner`);
              })();
      return this.exec(step, cmd, args as string[], env, existsSync(cwd) ? cwd : workspace);
    }
    const uses = spec.uses ?? '';
    const local = this.localAction(uses);
    if (local) {
      const actionYml = parse(readFileSync(join(local, 'action.yml'), 'utf8')) as {
        inputs?: Record<string, { default?: unknown; required?: boolean }>;
        runs?: { using?: string; main?: string };
      };
      const declared = actionYml.inputs ?? {};
      for (const k of Object.keys(step.inputs)) {
        if (!(k in declared)) throw new Error(`${where}: ${uses} has no input "${k}" (see its action.yml)`);
      }
      const inputEnv: Record<string, string> = {};
      for (const [name, decl] of Object.entries(declared)) {
        const v =
          name in step.inputs
            ? step.inputs[name]
            : decl.default === undefined
              ? ''
              : typeof decl.default === 'string'
                ? toText(interpolate(decl.default, { github: this.github }))
                : toText(decl.default as Value);
        inputEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = v ?? '';
      }
      if (!actionYml.runs?.main || !String(actionYml.runs.using ?? '').startsWith('node')) {
        throw new Error(`${where}: ${uses} is not a JavaScript action`);
      }
      let main = resolve(local, actionYml.runs.main);
      if (this.config.distDir)
        main = join(this.config.distDir, relative(join(this.config.suiteRoot, 'dist'), main));
      if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
      return this.exec(
        step,
        this.config.nodePath ?? process.execPath,
        [main],
        { ...env, ...inputEnv },
        workspace,
      );
    }
    const builtin: BuiltinContext = {
      step,
      env,
      jobEnv,
      workspace,
      remoteUrl: this.config.remoteUrl,
      defaultBranch: this.config.defaultBranch,
      repository: this.config.repository,
      actionRepository: this.config.actionRepository,
      distDir: this.config.distDir ?? join(this.config.suiteRoot, 'dist'),
      ...(this.config.awsCredentials ? { awsCredentials: this.config.awsCredentials } : {}),
      run: (args) => this.exec(step, 'git', args, env, workspace, true),
      uploadArtifact: (name, files) => this.api.addArtifact(Number(env.GITHUB_RUN_ID), name, files),
    };
    const name = uses.replace(/@.*$/, '');
    if (!/@[0-9a-f]{40}$/.test(uses)) throw new Error(`${where}: ${uses} is not pinned to a full commit SHA`);
    if (name === 'actions/checkout') return checkoutStep(builtin, wf);
    if (name === 'aws-actions/configure-aws-credentials') return configureAwsCredentialsStep(builtin);
    if (name === 'actions/upload-artifact') return uploadArtifactStep(builtin);
    throw new Error(`${where}: the local runner cannot run ${uses}`);
  }

  /** `./actions/<name>` or `<action repo>/actions/<name>@<ref>` → this suite's action folder. */
  private localAction(uses: string): string | undefined {
    const m =
      /^\.\/actions\/([a-z0-9-]+)\/?$/.exec(uses) ??
      new RegExp(`^${escapeRe(this.config.actionRepository)}/actions/([a-z0-9-]+)@[0-9a-f]{40}$`, 'i').exec(
        uses,
      );
    if (!m) return undefined;
    const dir = join(this.config.suiteRoot, 'actions', m[1] as string);
    if (!existsSync(join(dir, 'action.yml')))
      throw new Error(`${uses}: no such action in ${this.config.suiteRoot}`);
    return dir;
  }

  private exec(
    step: StepRun,
    cmd: string,
    args: string[],
    env: Record<string, string>,
    cwd: string,
    quietCommands = false,
  ): Promise<Conclusion> {
    return new Promise((done, fail) => {
      const child = this.config.processes.spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid !== undefined) this.jobGroups.push(child.pid);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (step.stderr += d.toString()));
      const timer = setTimeout(() => {
        step.stderr += `\nThe step ran longer than ${(this.config.stepTimeoutMs ?? 120_000) / 1000} s and was stopped.\n`;
        this.config.processes.kill(child, 'SIGKILL');
      }, this.config.stepTimeoutMs ?? 120_000);
      child.once('error', (err) => {
        clearTimeout(timer);
        fail(err);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        step.stdout += out;
        step.exitCode = code;
        if (!quietCommands) {
          const cmds = parseCommands(out);
          for (const c of cmds) if (c.command === 'add-mask' && c.message) this.masks.add(c.message);
          step.annotations.push(...cmds.filter((c) => ['error', 'warning', 'notice'].includes(c.command)));
        }
        done(code === 0 ? 'success' : 'failure');
      });
    });
  }
}

/**
 * The job's GITHUB_TOKEN permissions: the job's `permissions:`, else the workflow's, else GitHub's restricted
 * default (contents and packages read); a pull request from a fork gets every write turned into read.
 */
export function jobPermissions(wf: WorkflowSpec, job: JobSpec, fork: boolean): Record<string, string> {
  const declared = job.permissions ?? wf.permissions;
  const scopes = [
    'actions',
    'checks',
    'contents',
    'deployments',
    'id-token',
    'issues',
    'packages',
    'pull-requests',
    'statuses',
  ];
  let perms: Record<string, string>;
  if (declared === 'read-all' || declared === 'write-all') {
    perms = Object.fromEntries(scopes.map((k) => [k, declared === 'write-all' ? 'write' : 'read']));
  } else if (declared && typeof declared === 'object') {
    perms = Object.fromEntries(
      Object.entries(declared as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
    );
  } else {
    perms = { contents: 'read', packages: 'read' };
  }
  if (fork) for (const k of Object.keys(perms)) if (perms[k] === 'write') perms[k] = 'read';
  return perms;
}

/**
 * The event GitHub sends workflows that listen to `workflow_run` when `run` completes: the run's id, name, event,
 * conclusion and head (for a pull request: its head commit and repository, which is the fork's for a fork).
 * `defaultBranch` is where the listening workflow runs (its file is read from the default branch).
 */
export function workflowRunEvent(
  run: WorkflowRun,
  cause: WorkflowEvent,
  defaultBranch: { name: string; sha: string },
  repository: string,
): WorkflowEvent {
  const pr = cause.payload.pull_request as
    { number?: number; head?: { sha?: string; ref?: string; repo?: { full_name?: string } } } | undefined;
  const fork = isForkPullRequest(cause, repository);
  return {
    eventName: 'workflow_run',
    ref: `refs/heads/${defaultBranch.name}`,
    sha: defaultBranch.sha,
    payload: {
      action: 'completed',
      workflow_run: {
        id: run.runId,
        name: run.name,
        event: cause.eventName,
        status: 'completed',
        conclusion: run.conclusion === 'skipped' ? 'skipped' : run.conclusion,
        head_sha: pr?.head?.sha ?? cause.sha,
        head_branch: pr?.head?.ref ?? cause.ref.replace(/^refs\/heads\//, ''),
        head_repository: { full_name: pr?.head?.repo?.full_name ?? repository },
        html_url: `https://github.com/${repository}/actions/runs/${run.runId}`,
        // GitHub leaves this empty for pull requests from forks.
        pull_requests: pr?.number && !fork ? [{ number: pr.number }] : [],
      },
      repository: cause.payload.repository ?? { full_name: repository },
    },
  };
}

function stepName(spec: StepSpec): string {
  if (spec.name) return spec.name;
  if (spec.uses) return `Run ${spec.uses.replace(/@[0-9a-f]{40}$/, '')}`;
  return `Run ${(spec.run ?? '').split('\n')[0]}`;
}

function stepFiles(
  runnerTemp: string,
  index: number,
): { output: string; summary: string; env: string; path: string } {
  const dir = join(runnerTemp, '_runner_file_commands');
  mkdirSync(dir, { recursive: true });
  const files = {
    output: join(dir, `set_output_${index}`),
    summary: join(dir, `step_summary_${index}`),
    env: join(dir, `set_env_${index}`),
    path: join(dir, `add_path_${index}`),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  return files;
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Jobs in an order that respects `needs` (GitHub runs independent jobs in parallel; here they run one by one). */
function orderJobs(jobs: Record<string, JobSpec>): [string, JobSpec][] {
  const out: [string, JobSpec][] = [];
  const seen = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    if (seen.has(id)) return;
    if (path.includes(id)) throw new Error(`jobs form a cycle: ${[...path, id].join(' → ')}`);
    const job = jobs[id];
    if (!job) throw new Error(`a job needs "${id}", which does not exist`);
    for (const n of asList(job.needs)) visit(n, [...path, id]);
    seen.add(id);
    out.push([id, job]);
  };
  for (const id of Object.keys(jobs)) visit(id, []);
  return out;
}

/** Checks workflow_dispatch inputs as GitHub does (choices, booleans, required) and fills defaults. */
function checkDispatchInputs(
  wf: WorkflowSpec,
  given: Record<string, string | boolean | number>,
): Record<string, Value> {
  const specs = dispatchInputs(wf);
  const out: Record<string, Value> = {};
  for (const k of Object.keys(given)) {
    if (!(k in specs)) throw new Error(`${basename(wf.file)} has no workflow_dispatch input "${k}"`);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const raw = name in given ? given[name] : spec.default;
    if (raw === undefined || raw === '') {
      if (spec.required) throw new Error(`${basename(wf.file)}: input "${name}" is required`);
      out[name] = spec.type === 'boolean' ? false : '';
      continue;
    }
    if (spec.type === 'boolean') out[name] = raw === true || raw === 'true';
    else if (spec.type === 'number') out[name] = Number(raw);
    else {
      const s = String(raw);
      if (spec.type === 'choice' && !(spec.options ?? []).includes(s)) {
        throw new Error(
          `${basename(wf.file)}: input "${name}" must be one of ${(spec.options ?? []).join(', ')}, got "${s}"`,
        );
      }
      out[name] = s;
    }
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The runner's file-command format: `name=value` lines and `name<<DELIM` heredocs. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const name = heredoc[1] as string;
      const delim = heredoc[2] as string;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) body.push(lines[i] as string);
      out[name] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      out[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return out;
}

function unescapeProperty(s: string): string {
  return s
    .replace(/%2C/g, ',')
    .replace(/%3A/g, ':')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%25/g, '%');
}

/** Workflow commands on stdout (`::error file=…::message`, `::add-mask::value`). */
export function parseCommands(stdout: string): Annotation[] {
  const cmds: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const part of (m[2] ?? '').trim().split(',').filter(Boolean)) {
      const eq = part.indexOf('=');
      properties[part.slice(0, eq)] = unescapeProperty(part.slice(eq + 1));
    }
    cmds.push({ command: m[1] as string, properties, message: unescapeProperty(m[3] ?? '') });
  }
  return cmds;
}

/** The folder holding action-templates/, actions/ and dist/, found upwards from a start folder. */
export function findSuiteRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'action-templates')) && existsSync(join(dir, 'actions'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the suite (action-templates/ and actions/) above ${start}`);
    dir = up;
  }
}
