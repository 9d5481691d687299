/**
 * The third-party actions the templates use, simulated with the same observable effect on the job:
 * - actions/checkout: a fresh repository in the workspace whose `origin` is the config repo's remote, the event's
 *   commit fetched at depth 1 (fetch-depth: 0 fetches everything), checked out on the branch (or detached on a pull
 *   request's merge ref), exactly the shallow state the detect action must cope with on GitHub. `origin` is the
 *   local bare remote, so a step's `git push origin …` lands there as it would on GitHub. A checkout of the actions
 *   repository itself (migrate.yaml runs the CLI from it at the pinned commit) gets this suite's built dist/;
 * - actions/upload-artifact: the files under `path` kept by the local Actions API as the run's artifact, which
 *   it lists and serves as a zip (GET /actions/runs/{id}/artifacts, /actions/artifacts/{id}/zip);
 * - aws-actions/configure-aws-credentials: the OIDC exchange is replaced by the local S3 server's keys, exported to
 *   the following steps the way the real action does (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Conclusion, StepRun } from './runner.js';
import type { WorkflowSpec } from './workflow.js';

export interface BuiltinContext {
  step: StepRun;
  env: Record<string, string>;
  /** Variables exported to later steps (what GITHUB_ENV holds on the runner). */
  jobEnv: Record<string, string>;
  workspace: string;
  remoteUrl: string;
  defaultBranch: string;
  repository: string;
  /** owner/repo of this suite as the templates name it, and its built dist/ (what a checkout of it holds). */
  actionRepository: string;
  distDir: string;
  awsCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** Runs git in the workspace (or in `cwd` given as `-C`), resolving to the conclusion. */
  run: (args: string[]) => Promise<Conclusion>;
  /** Keeps an artifact of this run (what the Actions API then lists and serves as a zip). */
  uploadArtifact: (name: string, files: Map<string, Buffer>) => void;
}

export async function checkoutStep(ctx: BuiltinContext, _wf: WorkflowSpec): Promise<Conclusion> {
  const w = ctx.step.inputs;
  if (w.repository && w.repository.toLowerCase() === ctx.actionRepository.toLowerCase()) {
    return checkoutSuite(ctx);
  }
  if (w.repository && w.repository !== ctx.repository) {
    throw new Error(
      `the local runner checks out only ${ctx.repository} and ${ctx.actionRepository}, not ${w.repository}`,
    );
  }
  const dir = resolve(ctx.workspace, w.path || '.');
  mkdirSync(dir, { recursive: true });
  const depth = w['fetch-depth'] === undefined || w['fetch-depth'] === '' ? 1 : Number(w['fetch-depth']);
  let ref = ctx.env.GITHUB_REF ?? '';
  let sha = ctx.env.GITHUB_SHA ?? '';
  if (w.ref) {
    if (/^[0-9a-f]{40}$/.test(w.ref)) {
      sha = w.ref;
      ref = '';
    } else {
      ref = w.ref.startsWith('refs/') ? w.ref : `refs/heads/${w.ref}`;
      sha = '';
    }
  }
  const git = (args: string[]): Promise<Conclusion> => ctx.run(['-C', dir, ...args]);
  const steps: string[][] = [
    ['init', '-q', `--initial-branch=${ctx.defaultBranch}`],
    ['remote', 'add', 'origin', ctx.remoteUrl],
    ['config', '--local', 'gc.auto', '0'],
  ];
  const fetch = [
    '-c',
    'protocol.version=2',
    'fetch',
    '-q',
    '--no-tags',
    '--prune',
    '--no-recurse-submodules',
  ];
  if (depth > 0) fetch.push(`--depth=${depth}`);
  let checkout: string[];
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  const pull = /^refs\/pull\/(\d+)\/merge$/.exec(ref);
  if (depth === 0) {
    fetch.push('origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
    if (pull) fetch.push(`+${sha}:refs/remotes/pull/${pull[1]}/merge`);
  } else if (branch) {
    fetch.push('origin', `+${sha || ref}:refs/remotes/origin/${branch}`);
  } else if (pull) {
    fetch.push('origin', `+${sha}:refs/remotes/pull/${pull[1]}/merge`);
  } else {
    fetch.push('origin', sha);
  }
  if (branch) checkout = ['checkout', '-q', '--force', '-B', branch, `refs/remotes/origin/${branch}`];
  else if (pull) checkout = ['checkout', '-q', '--force', `refs/remotes/pull/${pull[1]}/merge`];
  else checkout = ['checkout', '-q', '--force', '--detach', sha];
  for (const args of [...steps, fetch, checkout]) {
    if ((await git(args)) !== 'success') return 'failure';
  }
  ctx.step.note = `checked out ${branch ?? (pull ? `pull request #${pull[1]} (merge commit)` : sha.slice(0, 7))} at depth ${depth === 0 ? 'full' : depth}`;
  return 'success';
}

/**
 * A checkout of the actions repository at a pinned commit: this suite as built (its dist/ linked in), which is what
 * that commit holds on GitHub (dist/ is committed). The ref must be a full commit SHA, as the templates pin it.
 */
function checkoutSuite(ctx: BuiltinContext): Promise<Conclusion> {
  const w = ctx.step.inputs;
  if (!/^[0-9a-f]{40}$/.test(w.ref ?? '')) {
    throw new Error(
      `a checkout of ${ctx.actionRepository} must pin a full commit SHA as ref, got "${w.ref ?? ''}"`,
    );
  }
  if (!existsSync(ctx.distDir)) throw new Error(`${ctx.distDir} is missing: run npm run build first`);
  const dir = resolve(ctx.workspace, w.path || '.');
  mkdirSync(dir, { recursive: true });
  symlinkSync(ctx.distDir, join(dir, 'dist'), 'dir');
  ctx.step.note = `${ctx.actionRepository}@${(w.ref as string).slice(0, 7)}: this suite's dist/ (${ctx.distDir})`;
  return Promise.resolve('success');
}

export async function configureAwsCredentialsStep(ctx: BuiltinContext): Promise<Conclusion> {
  const w = ctx.step.inputs;
  if (!w['aws-region'])
    throw new Error('configure-aws-credentials: Input required and not supplied: aws-region');
  if (!w['role-to-assume']) {
    throw new Error(
      'configure-aws-credentials: Credentials could not be loaded (role-to-assume is empty: set the repository variable ITEMSTORE_AWS_ROLE_ARN).',
    );
  }
  if (!ctx.awsCredentials)
    throw new Error('configure-aws-credentials: no local S3 credentials configured for the runner');
  Object.assign(ctx.jobEnv, {
    AWS_ACCESS_KEY_ID: ctx.awsCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ctx.awsCredentials.secretAccessKey,
    AWS_REGION: w['aws-region'],
    AWS_DEFAULT_REGION: w['aws-region'],
  });
  ctx.step.note = `simulated OIDC: assumed ${w['role-to-assume']} (local S3 keys exported)`;
  return 'success';
}

export function uploadArtifactStep(ctx: BuiltinContext): Promise<Conclusion> {
  const w = ctx.step.inputs;
  const name = w.name || 'artifact';
  const root = resolve(ctx.workspace, w.path ?? '');
  const files = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(root, p), readFileSync(p));
    }
  };
  if (!w.path || !existsSync(root)) {
    if ((w['if-no-files-found'] || 'warn') === 'error')
      throw new Error(`upload-artifact: no files at ${w.path}`);
    ctx.step.note = `no files at ${w.path}: nothing uploaded`;
    return Promise.resolve('success');
  }
  if (statSync(root).isDirectory()) walk(root);
  else files.set(root.split('/').pop() as string, readFileSync(root));
  ctx.uploadArtifact(name, files);
  ctx.step.note = `artifact ${name}: ${files.size} file(s)`;
  return Promise.resolve('success');
}
