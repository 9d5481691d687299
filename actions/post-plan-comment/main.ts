import { readFile } from 'node:fs/promises';
import { getOctokit } from '@actions/github';
import {
  actionsLogger,
  core,
  getInput,
  getRequiredInput,
  runAction,
  setOutputs,
} from '@itemstore/action-kit';
import { UsageError } from '@itemstore/core';
import type { WorkflowRunInfo } from '@itemstore/ops';

export function run(): Promise<void> {
  return runAction('post-plan-comment', main);
}

async function main(): Promise<void> {
  const token = getRequiredInput('github-token');
  core.setSecret(token);
  const event = JSON.parse(await readFile(process.env.GITHUB_EVENT_PATH ?? '', 'utf8').catch(() => '{}')) as {
    workflow_run?: WorkflowRunInfo;
  };
  const workflowRun = event.workflow_run;
  if (!workflowRun) {
    throw new UsageError(
      'post-plan-comment runs on workflow_run events (after the plan workflow); this event has no workflow_run.',
    );
  }
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  // Posting loads once the event is known to be a workflow run: a step that fails on its inputs does not pay.
  const { PLAN_ARTIFACT_NAME, postPlan } = await import('@itemstore/ops');
  const octokit = getOctokit(token, { baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
  const posted = await postPlan({
    octokit,
    repository,
    workflowRun,
    artifactName: getInput('artifact-name') || PLAN_ARTIFACT_NAME,
    logger: actionsLogger,
  });
  setOutputs({
    'comment-id': posted?.commentId ?? '',
    created: posted?.created ?? false,
    'check-run-id': posted?.checkRunId ?? '',
    title: posted?.title ?? '',
  });
}
