/**
 * The commit of the last successful run of this workflow on this branch, from GitHub's REST API. A push run that
 * compares with that commit instead of the event's `before` also covers pushes whose runs failed, or were cancelled
 * while queued (GitHub keeps one pending run per concurrency group and cancels the one it replaces). This is the
 * only REST call of the suite; it needs `permissions: actions: read`, and any failure is a warning, never the end
 * of the run: the event's own base is used then.
 */
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
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * The head SHA of the newest successful run; `null` when GitHub answered and there is none (nothing was ever
 * deployed from this branch by this workflow); `undefined` when the lookup failed (a warning says why).
 */
export async function lastSuccessfulRunSha(options: LastSuccessOptions): Promise<string | null | undefined> {
  const f = options.fetch ?? fetch;
  const api = options.apiUrl.replace(/\/+$/, '');
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const res = await f(`${api}${path}`, {
      headers: {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${options.token}`,
        'X-GitHub-Api-Version': '2022-11-28',
      },
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    if (!res.ok) {
      const hint =
        res.status === 403 || res.status === 404 ? ' (does the job have `permissions: actions: read`?)' : '';
      throw new Error(`GET ${path} answered ${res.status}${hint}`);
    }
    return (await res.json()) as Record<string, unknown>;
  };
  try {
    const repo = options.repository.split('/').map(encodeURIComponent).join('/');
    const run = await get(`/repos/${repo}/actions/runs/${encodeURIComponent(options.runId)}`);
    const workflowId = run.workflow_id;
    if (typeof workflowId !== 'number' && typeof workflowId !== 'string')
      throw new Error('the run has no workflow_id');
    const query = new URLSearchParams({
      branch: options.branch,
      event: options.event,
      status: 'success',
      per_page: '1',
    });
    const runs = await get(
      `/repos/${repo}/actions/workflows/${encodeURIComponent(String(workflowId))}/runs?${query}`,
    );
    const first = (runs.workflow_runs as { head_sha?: unknown }[] | undefined)?.[0];
    const sha =
      typeof first?.head_sha === 'string' && /^[0-9a-f]{40}$/.test(first.head_sha) ? first.head_sha : null;
    options.logger.debug(`last successful ${options.event} run on ${options.branch}: ${sha ?? 'none'}`);
    return sha;
  } catch (err) {
    options.logger.warning(
      `Could not find the last successful run of this workflow (${(err as Error).message}); comparing with the event's base instead.`,
    );
    return undefined;
  }
}
