/**
 * The trusted half of the pull request plan (the `workflow_run` pattern): the plan job of a pull request, which may
 * come from a fork and runs without secrets and with a read-only token, uploads plan.json as an artifact; this code
 * runs in a workflow of the base repository with `pull-requests: write` and `checks: write`, downloads it, checks
 * it, and posts it as one sticky comment (found again by its hidden marker, updated in place) and a check run whose
 * title carries the counts. It never checks out or runs the pull request's code: the artifact is data, and the
 * pull request it names must have the head commit the plan run was made for.
 */
import type { getOctokit } from '@actions/github';
import { UsageError, type Logger } from '@itemstore/core';
import { unzipSync } from 'fflate';
import { COMMENT_LIMIT, PLAN_ARTIFACT_VERSION, type PlanArtifact } from './render.js';

/** The hidden HTML comment that marks the plan comment, so each push updates the same one. */
export const PLAN_COMMENT_MARKER = '<!-- itemstore-plan -->';
export const PLAN_ARTIFACT_NAME = 'itemstore-plan';
export const PLAN_CHECK_NAME = 'Item Store plan';
const MAX_PLAN_BYTES = 1_000_000;

export type Octokit = ReturnType<typeof getOctokit>;

/** The parts of the workflow_run event payload the poster reads (github.event.workflow_run). */
export interface WorkflowRunInfo {
  id: number;
  event: string;
  head_sha: string;
  conclusion?: string | null;
  html_url?: string;
}

export interface PostPlanOptions {
  octokit: Octokit;
  /** owner/name of the base repository (GITHUB_REPOSITORY). */
  repository: string;
  workflowRun: WorkflowRunInfo;
  artifactName?: string;
  logger: Logger;
  timeoutMs?: number;
}

export interface PostPlanResult {
  pullRequest: number;
  commentId: number;
  /** true: a new comment; false: the earlier one was updated. */
  created: boolean;
  checkRunId: number;
  title: string;
}

/** Reads plan.json, refusing anything but the shape render.ts writes. */
export function parsePlanArtifact(text: string): PlanArtifact {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError('plan.json in the plan artifact is not JSON.');
  }
  const p = v as Partial<PlanArtifact>;
  if (
    !p ||
    typeof p !== 'object' ||
    p.version !== PLAN_ARTIFACT_VERSION ||
    !Number.isInteger(p.pullRequest) ||
    (p.pullRequest as number) < 1 ||
    typeof p.headSha !== 'string' ||
    !/^[0-9a-f]{40}$/.test(p.headSha) ||
    typeof p.title !== 'string' ||
    typeof p.body !== 'string' ||
    !['success', 'failure', 'neutral'].includes(p.conclusion as string)
  ) {
    throw new UsageError(
      `plan.json in the plan artifact is not a version ${PLAN_ARTIFACT_VERSION} plan (was it made by the same release of plan-comment?).`,
    );
  }
  return {
    version: PLAN_ARTIFACT_VERSION,
    pullRequest: p.pullRequest as number,
    headSha: p.headSha,
    // One line, no Markdown headings: the title is shown as the check run's title.
    title: p.title.replace(/[\r\n]+/g, ' ').slice(0, 200),
    conclusion: p.conclusion as PlanArtifact['conclusion'],
    body: p.body.slice(0, COMMENT_LIMIT),
  };
}

/** Downloads the plan artifact of a run and reads plan.json from it; undefined when the run uploaded none. */
export async function downloadPlan(options: PostPlanOptions): Promise<PlanArtifact | undefined> {
  const { octokit, workflowRun } = options;
  const [owner = '', repo = ''] = options.repository.split('/');
  const name = options.artifactName ?? PLAN_ARTIFACT_NAME;
  const request = { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) };
  const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
    owner,
    repo,
    run_id: workflowRun.id,
    name,
    request,
  });
  const artifact = data.artifacts.find((a) => a.name === name && !a.expired);
  if (!artifact) return undefined;
  if (artifact.size_in_bytes > MAX_PLAN_BYTES * 2) {
    throw new UsageError(`The plan artifact is ${artifact.size_in_bytes} bytes; a plan is never that large.`);
  }
  const zip = await octokit.rest.actions.downloadArtifact({
    owner,
    repo,
    artifact_id: artifact.id,
    archive_format: 'zip',
    request,
  });
  const bytes = new Uint8Array(zip.data as ArrayBuffer);
  const files = unzipSync(bytes, {
    filter: (f) => f.name === 'plan.json' && f.originalSize <= MAX_PLAN_BYTES,
  });
  const plan = files['plan.json'];
  if (!plan) throw new UsageError(`The plan artifact "${name}" has no plan.json (or one over 1 MB).`);
  return parsePlanArtifact(Buffer.from(plan).toString('utf8'));
}

export async function postPlan(options: PostPlanOptions): Promise<PostPlanResult | undefined> {
  const { octokit, workflowRun, logger } = options;
  const [owner = '', repo = ''] = options.repository.split('/');
  const request = { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) };
  if (workflowRun.event !== 'pull_request') {
    logger.info(`The plan run was started by ${workflowRun.event}, not a pull request: nothing to post.`);
    return undefined;
  }
  const plan = await downloadPlan(options);
  if (!plan) {
    logger.warning(
      `Run ${workflowRun.id} uploaded no "${options.artifactName ?? PLAN_ARTIFACT_NAME}" artifact (it was cancelled, or failed before its plan-comment step): nothing to post.`,
    );
    return undefined;
  }
  // The number comes from the untrusted run: post only on the pull request whose head is the commit that run planned.
  const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: plan.pullRequest, request });
  if (pr.head.sha !== workflowRun.head_sha || plan.headSha !== workflowRun.head_sha) {
    throw new UsageError(
      `The plan names pull request #${plan.pullRequest}, whose head is ${pr.head.sha.slice(0, 12)}, but run ${workflowRun.id} planned ${workflowRun.head_sha.slice(0, 12)}: not posting (a newer push has its own run).`,
    );
  }
  const body = `${PLAN_COMMENT_MARKER}\n${plan.body}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: plan.pullRequest,
    per_page: 100,
    request,
  });
  const mine = comments.find((c) => c.user?.type === 'Bot' && c.body?.startsWith(PLAN_COMMENT_MARKER));
  let commentId: number;
  if (mine) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body, request });
    commentId = mine.id;
    logger.info(`Updated the plan comment on pull request #${plan.pullRequest} (comment ${mine.id}).`);
  } else {
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: plan.pullRequest,
      body,
      request,
    });
    commentId = data.id;
    logger.info(`Posted the plan comment on pull request #${plan.pullRequest} (comment ${data.id}).`);
  }
  const { data: check } = await octokit.rest.checks.create({
    owner,
    repo,
    name: PLAN_CHECK_NAME,
    head_sha: workflowRun.head_sha,
    status: 'completed',
    conclusion: workflowRun.conclusion === 'failure' ? 'failure' : plan.conclusion,
    ...(workflowRun.html_url ? { details_url: workflowRun.html_url } : {}),
    output: { title: plan.title, summary: plan.body },
    request,
  });
  return {
    pullRequest: plan.pullRequest,
    commentId,
    created: !mine,
    checkRunId: check.id,
    title: plan.title,
  };
}
