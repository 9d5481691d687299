/**
 * The commit of the last successful run of this workflow on this branch, from GitHub's REST API. A push run that
 * compares with that commit instead of the event's `before` also covers pushes whose runs failed, or were cancelled
 * while queued (GitHub keeps one pending run per concurrency group and cancels the one it replaces). It uses
 * `@actions/github`'s Octokit; it needs `permissions: actions: read`, and any failure is a warning, never the end
 * of the run: the event's own base is used then.
 */
import { getOctokit } from '@actions/github';
import type { Logger } from '@itemstore/core';

export interface LastSuccessOptions {
  /** GITHUB_API_URL, e.g. https://api.github.com */
  apiUrl: string;
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string;
  /** GITHUB_RUN_ID: the run asking, to find its workflow. */
  runId: string;
  branch: string;
  /** Only runs of this event count (a manual run may have deployed something else). */
  event: string;
  token: string;
  logger: Logger;
  timeoutMs?: number;
}

/**
 * The head SHA of the newest successful run; `null` when GitHub answered and there is none (nothing was ever
 * deployed from this branch by this workflow); `undefined` when the lookup failed (a warning says why).
 */
export async function lastSuccessfulRunSha(options: LastSuccessOptions): Promise<string | null | undefined> {
  const octokit = getOctokit(options.token, { baseUrl: options.apiUrl.replace(/\/+$/, '') });
  const [owner = '', repo = ''] = options.repository.split('/');
  const request = { signal: AbortSignal.timeout(options.timeoutMs ?? 15_000) };
  const headers = { 'x-github-api-version': '2022-11-28' };
  try {
    const { data: run } = await octokit.rest.actions.getWorkflowRun({
      owner,
      repo,
      run_id: Number(options.runId),
      request,
      headers,
    });
    const workflowId = run.workflow_id;
    if (typeof workflowId !== 'number') throw new Error('the run has no workflow_id');
    const { data: runs } = await octokit.rest.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: workflowId,
      branch: options.branch,
      event: options.event,
      status: 'success',
      per_page: 1,
      request,
      headers,
    });
    const first = runs.workflow_runs[0];
    const sha =
      typeof first?.head_sha === 'string' && /^[0-9a-f]{40}$/.test(first.head_sha) ? first.head_sha : null;
    options.logger.debug(`last successful ${options.event} run on ${options.branch}: ${sha ?? 'none'}`);
    return sha;
  } catch (err) {
    const status = (err as { status?: number }).status;
    const hint = status === 403 || status === 404 ? ' (does the job have `permissions: actions: read`?)' : '';
    const what = status ? `GitHub answered ${status}${hint}` : (err as Error).message;
    options.logger.warning(
      `Could not find the last successful run of this workflow (${what}); comparing with the event's base instead.`,
    );
    return undefined;
  }
}
