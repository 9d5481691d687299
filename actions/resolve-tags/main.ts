import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  actionsLogger,
  emitAnnotations,
  getInput,
  getRequiredInput,
  runAction,
  setOutputs,
  writeSummary,
} from '@itemstore/action-kit';
import { ConfigError, UsageError, readChangeManifest } from '@itemstore/core';
import { startContentWorkers } from '@itemstore/resolve/content-workers';

export function run(): Promise<void> {
  return runAction('resolve-tags', main);
}

async function main(): Promise<void> {
  const changes = await readChangeManifest(getRequiredInput('manifest'));
  // The content check's worker threads (from 64 changed configs) start now, and start up while resolving loads.
  const workers = startContentWorkers(changes);
  // Resolving loads once the change manifest is read: a step that fails on its inputs does not pay.
  const { openTrees, resolveManifest, resolveSummary } = await import('@itemstore/resolve');
  let resolved;
  try {
    const { head, base, close, checked } = await openTrees(changes, actionsLogger);
    try {
      resolved = await resolveManifest(changes, {
        head,
        base,
        branch: getInput('branch'),
        logger: actionsLogger,
        checked,
        contentCheck: { started: workers },
      });
    } finally {
      close();
    }
  } finally {
    workers?.close();
  }

  // Written synchronously: two small writes, not worth two round trips through libuv's thread pool.
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'itemstore-resolve-'));
  const file = join(dir, 'resolved.json');
  writeFileSync(file, JSON.stringify(resolved, null, 2) + '\n');

  const problems = resolved.errors.map((e) => ConfigError.fromJSON(e));
  const errors = problems.filter((e) => e.severity === 'error').length;
  const summary = resolveSummary(resolved);
  const overflow = emitAnnotations(problems, { pathPrefix: resolved.workingDirectory });
  if (overflow) summary.raw(overflow.toMarkdown());
  setOutputs({
    manifest: file,
    errors,
    warnings: problems.length - errors,
    count: resolved.entries.length,
    upserts: resolved.entries.filter((e) => e.action === 'upsert').length,
    deletes: resolved.entries.filter((e) => e.action === 'delete').length,
    branch: resolved.branch,
    'is-main-branch': resolved.isMainBranch,
  });
  await writeSummary(summary);
  if (errors) {
    throw new UsageError(
      `${errors} error${errors === 1 ? '' : 's'} in the changed configs (see the annotations); nothing may be deployed until they are fixed.`,
    );
  }
}
