import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHANGE_MANIFEST_VERSION,
  UsageError,
  type ChangeManifest,
  type Logger,
  type RepoTree,
} from '@itemstore/core';
import { FsTree } from '@itemstore/config';
import { Git, GitTree } from '@itemstore/changes';

/** Reads detect-changed-paths' manifest and refuses one this version does not understand. */
export async function loadChangeManifest(file: string): Promise<ChangeManifest> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the change manifest ${file}: ${(err as Error).message}`);
  }
  const m = data as Partial<ChangeManifest>;
  if (!m || typeof m !== 'object' || !Array.isArray(m.entries) || typeof m.repoRoot !== 'string') {
    throw new UsageError(`${file} is not a change manifest of detect-changed-paths (no entries/repoRoot).`);
  }
  if (m.version !== CHANGE_MANIFEST_VERSION) {
    throw new UsageError(
      `${file} has manifest version ${String(m.version)}; this resolve-tags reads version ${CHANGE_MANIFEST_VERSION}: use the same release of every action.`,
    );
  }
  return m as ChangeManifest;
}

/**
 * The head is the checked-out working tree (what the writers will read); the base is the base commit, read with
 * git. A working tree that is not at the manifest's head commit gets a warning: what is deployed is what is on disk.
 */
export async function openTrees(
  changes: ChangeManifest,
  logger: Logger,
): Promise<{ head: RepoTree; base: RepoTree | undefined; close: () => void }> {
  const root = join(changes.repoRoot, changes.workingDirectory || '.');
  const head = new FsTree(root);
  const git = new Git(changes.repoRoot, { safeDirectory: changes.repoRoot, logger });
  const at = await git.run(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { okCodes: [1, 128] });
  const checkedOut = at.stdout.toString().trim();
  if (checkedOut && changes.headSha && checkedOut !== changes.headSha) {
    logger.warning(
      `the working tree is at ${checkedOut.slice(0, 12)}, not at the manifest's head ${changes.headSha.slice(0, 12)}: configs are read from the working tree`,
    );
  }
  let base: GitTree | undefined;
  if (changes.mode === 'diff' && changes.baseSha) {
    base = new GitTree(changes.repoRoot, changes.baseSha, changes.workingDirectory, {
      safeDirectory: changes.repoRoot,
      logger,
    });
  }
  return { head, base, close: () => base?.close() };
}
