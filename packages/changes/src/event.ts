import { readFileSync } from 'node:fs';
import { UsageError } from '@itemstore/core';
import type { EventContext } from './range.js';

/** The trigger as the runner describes it: GITHUB_EVENT_NAME, the event file, GITHUB_REF, GITHUB_SHA. */
export function readEventContext(env: NodeJS.ProcessEnv = process.env): EventContext {
  const eventName = env.GITHUB_EVENT_NAME;
  if (!eventName) {
    throw new UsageError(
      'GITHUB_EVENT_NAME is not set: this action runs inside a GitHub Actions job (locally, use `itemstore detect`).',
    );
  }
  let payload: Record<string, unknown> = {};
  const path = env.GITHUB_EVENT_PATH;
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new UsageError(
        `The event file ${path} (GITHUB_EVENT_PATH) cannot be read: ${(e as Error).message}.`,
      );
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        payload = parsed as Record<string, unknown>;
    } catch {
      throw new UsageError(`The event file ${path} (GITHUB_EVENT_PATH) is not JSON.`);
    }
  }
  return {
    eventName,
    payload,
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(env.GITHUB_HEAD_REF ? { headRef: env.GITHUB_HEAD_REF } : {}),
  };
}
