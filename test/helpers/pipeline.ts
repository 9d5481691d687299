/**
 * detect-changed-paths then resolve-tags, as a push runs them, on a real repository: the resolved manifest the
 * writers get. For tests of the writers (deploy, sync-s3) on real git history (renames, tags edits, reverts).
 */
import type { ChangeManifest, ResolvedManifest } from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { detectChanges, GitTree } from '@itemstore/changes';
import { resolveManifest } from '@itemstore/resolve';
import type { GitRepo } from './git-repo.js';

/** The manifest of a push from `before` (null: a first push, every config) to the checked-out HEAD. */
export async function pushManifest(
  repo: GitRepo,
  before: string | null,
  branch = 'main',
): Promise<ResolvedManifest> {
  const after = await repo.rev();
  const changes: ChangeManifest = await detectChanges({
    directory: repo.dir,
    event: {
      eventName: 'push',
      payload: {
        before: before ?? '0000000000000000000000000000000000000000',
        after,
        ref: `refs/heads/${branch}`,
        ...(before ? {} : { created: true }),
      },
      ref: `refs/heads/${branch}`,
      sha: after,
    },
    remote: null,
    fetch: false,
  });
  const base = changes.baseSha ? new GitTree(repo.dir, changes.baseSha) : undefined;
  try {
    return await resolveManifest(changes, { head: new FsTree(repo.dir), ...(base ? { base } : {}) });
  } finally {
    base?.close();
  }
}
