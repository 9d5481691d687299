/**
 * Everything a local run of the templates needs, started and stopped together: a temp folder, the config repo and
 * its origin, the reference V2 server, s3rver, and a WorkflowRunner wired to them with the repository variables and
 * secrets the templates read. `itemstore demo` and test/e2e both use it.
 *
 *   const pg = await Playground.start({ suiteRoot });
 *   await pg.repo.commit('first', SAMPLE_REPO);
 *   const runs = await pg.onEvent(await pg.repo.push('main'));   // every template the push triggers
 *   await pg.stop();
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpItemStore } from '@itemstore/v2';
import {
  ConfigRepo,
  ProcessGroups,
  WorkflowRunner,
  loadWorkflow,
  workflowRunEvent,
  type RunnerConfig,
  type WorkflowEvent,
  type WorkflowRun,
} from '@itemstore/workflow-runner';
import { SAMPLE_BUCKETS } from './sample-repo.js';
import { S3RVER_KEYS, startLocalS3, startLocalV2, type LocalS3, type LocalV2 } from './servers.js';

export const ACTION_REPOSITORY = 'example-org/itemstore-actions';
export const CONFIG_REPOSITORY = 'example-org/dmd-item-storage-v2';
export const DEMO_TOKEN = 'demo-token-7f3a9c2e51';
/**
 * The least-privilege tokens CUTOVER.md sets up ("Tokens and scopes"), by the secret that holds each: the demo's V2
 * server knows them, and the runner hands them out as GitHub would (repository secrets, environment secrets).
 */
export const DEMO_SCOPED_TOKENS = {
  branch: { token: 'demo-branch-token-41c2', scopes: ['write:dev:branch'] },
  main: { token: 'demo-main-token-8e07', scopes: ['write:dev:main'] },
  'promote-qa': { token: 'demo-promote-qa-token-5d19', scopes: ['promote:qa'] },
  'promote-prod': { token: 'demo-promote-prod-token-b3a6', scopes: ['promote:prod'] },
  read: { token: 'demo-read-token-27f4', scopes: ['read'] },
} as const;

export interface PlaygroundOptions {
  suiteRoot: string;
  /** Where to make the temp folder (default: the OS temp folder). */
  tempParent?: string;
  /** Extra or overriding repository variables. */
  vars?: Record<string, string>;
  onStep?: RunnerConfig['onStep'];
  onRun?: RunnerConfig['onRun'];
  onRunEnd?: RunnerConfig['onRunEnd'];
  /** Resolve s3rver from here (the CLI bundle passes its own URL). */
  resolveFrom?: string;
  /** Bundles built elsewhere (`node scripts/build.mjs --outdir DIR`); default <suiteRoot>/dist. */
  distDir?: string;
  /** Keep the temp folder (for debugging). */
  keep?: boolean;
  /** The Node that runs the action bundles (default: this one; the tests pass Node 24, as the runner uses). */
  nodePath?: string;
}

export class Playground {
  private constructor(
    readonly tempDir: string,
    readonly processes: ProcessGroups,
    readonly repo: ConfigRepo,
    readonly v2: LocalV2,
    readonly s3: LocalS3,
    readonly runner: WorkflowRunner,
    readonly store: HttpItemStore,
    private readonly keep: boolean,
  ) {}

  static async start(options: PlaygroundOptions): Promise<Playground> {
    const tempDir = mkdtempSync(join(options.tempParent ?? tmpdir(), 'itemstore-demo-'));
    const processes = new ProcessGroups();
    let v2: LocalV2 | undefined;
    try {
      const [repo, startedV2, s3] = await Promise.all([
        ConfigRepo.create({ tempDir, repository: CONFIG_REPOSITORY }),
        startLocalV2({
          tempDir,
          token: DEMO_TOKEN,
          tokens: Object.entries(DEMO_SCOPED_TOKENS).map(([name, t]) => ({
            name,
            token: t.token,
            scopes: [...t.scopes],
          })),
        }),
        startLocalS3({
          processes,
          buckets: SAMPLE_BUCKETS,
          tempDir,
          ...(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {}),
        }),
      ]);
      v2 = startedV2;
      const runner = new WorkflowRunner({
        suiteRoot: options.suiteRoot,
        actionRepository: ACTION_REPOSITORY,
        repository: CONFIG_REPOSITORY,
        remoteUrl: repo.remoteUrl,
        defaultBranch: repo.defaultBranch,
        vars: {
          ITEMSTORE_URL: v2.url,
          ITEMSTORE_S3_SYNC: 'on',
          ITEMSTORE_S3_ENDPOINT: s3.endpoint,
          ITEMSTORE_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/itemstore-deploy',
          ITEMSTORE_AWS_REGION: 'us-east-1',
          ...options.vars,
        },
        // Repository secrets: the branch and read tokens any branch may use; ITEMSTORE_TOKEN at repository level
        // is the full-rights token migrate.yaml uses (its job names no environment).
        secrets: {
          ITEMSTORE_TOKEN: DEMO_TOKEN,
          ITEMSTORE_BRANCH_TOKEN: DEMO_SCOPED_TOKENS.branch.token,
          ITEMSTORE_READ_TOKEN: DEMO_SCOPED_TOKENS.read.token,
        },
        // GitHub environments with a deployment branch policy (main only) and their own ITEMSTORE_TOKEN.
        environments: {
          dev: { branches: ['main'], secrets: { ITEMSTORE_TOKEN: DEMO_SCOPED_TOKENS.main.token } },
          qa: { branches: ['main'], secrets: { ITEMSTORE_TOKEN: DEMO_SCOPED_TOKENS['promote-qa'].token } },
          prod: {
            branches: ['main'],
            secrets: { ITEMSTORE_TOKEN: DEMO_SCOPED_TOKENS['promote-prod'].token },
          },
        },
        awsCredentials: S3RVER_KEYS,
        tempDir,
        processes,
        ...(options.distDir ? { distDir: options.distDir } : {}),
        ...(options.nodePath ? { nodePath: options.nodePath } : {}),
        ...(options.onStep ? { onStep: options.onStep } : {}),
        ...(options.onRun ? { onRun: options.onRun } : {}),
        ...(options.onRunEnd ? { onRunEnd: options.onRunEnd } : {}),
      });
      const store = new HttpItemStore({ url: v2.url, token: DEMO_TOKEN });
      return new Playground(tempDir, processes, repo, v2, s3, runner, store, !!options.keep);
    } catch (err) {
      await processes.stopAll();
      await v2?.stop();
      rmSync(tempDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The template files, in a stable order. */
  templates(): string[] {
    const dir = join(this.runner.config.suiteRoot, 'action-templates');
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  }

  template(name: string): string {
    return join(this.runner.config.suiteRoot, 'action-templates', name);
  }

  /**
   * Runs every template the event triggers (in file order) and reports the ones it does not trigger as skipped;
   * then, as GitHub does when a run completes, the templates that listen to `workflow_run` for it (the plan comment
   * after the pull request plan), on the default branch.
   */
  async onEvent(event: WorkflowEvent, only?: readonly string[]): Promise<WorkflowRun[]> {
    const runs: WorkflowRun[] = [];
    const files = this.templates().filter((file) => !only || only.some((n) => file.endsWith(`/${n}`)));
    for (const file of files) runs.push(await this.runner.run(file, event));
    if (event.eventName === 'workflow_run') return runs;
    const listeners = files.filter((f) => 'workflow_run' in loadWorkflow(f).on);
    for (const done of runs.filter((r) => r.triggered)) {
      if (!listeners.length) break;
      const followUp = workflowRunEvent(
        done,
        event,
        { name: this.repo.defaultBranch, sha: await this.repo.remoteSha(this.repo.defaultBranch) },
        this.runner.config.repository,
      );
      for (const file of listeners) {
        const r = await this.runner.run(file, followUp);
        if (r.triggered) runs.push(r);
      }
    }
    return runs;
  }

  async stop(): Promise<void> {
    await this.s3.stop().catch(() => undefined);
    await this.v2.stop().catch(() => undefined);
    await this.processes.stopAll();
    if (!this.keep) rmSync(this.tempDir, { recursive: true, force: true });
  }
}
