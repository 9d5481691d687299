import {
  Git,
  basePathOf,
  configRootOf,
  type ChangeManifest,
  type Logger,
  type RepoTree,
} from '@itemstore/core';
import { FsTree, SETTINGS_FILE, TAGS_FILE_NAMES, addFoldersAbove } from '@itemstore/config';
import { GitTree } from '@itemstore/changes';

/**
 * The head is the checked-out working tree (what the writers will read); the base is the base commit, read with
 * git. A working tree that is not at the manifest's head commit gets a warning: what is deployed is what is on disk.
 *
 * Nothing here waits for git: the base's cat-file process starts at once and is asked for item-store.yaml (commit,
 * root tree, file) while the head is read, and the working tree's commit is checked meanwhile (through that same
 * process when there is a base). `checked` settles once the check is done (and its warning given); pass it to
 * resolveManifest, which waits for it before it reports anything of its own, so the warning still comes first.
 */
export async function openTrees(
  changes: ChangeManifest,
  logger: Logger,
): Promise<{ head: RepoTree; base: RepoTree | undefined; close: () => void; checked: Promise<void> }> {
  const head = new FsTree(configRootOf(changes));
  let base: GitTree | undefined;
  if (changes.mode === 'diff' && changes.baseSha) {
    // Old identities need no size limit: skip the sizes git would read from every blob.
    base = new GitTree(changes.repoRoot, changes.baseSha, changes.workingDirectory, {
      safeDirectory: changes.repoRoot,
      logger,
      sizes: false,
    });
  }
  const checked = checkWorkingTree(changes, base, logger);
  checked.catch(() => undefined); // awaited by resolveManifest (or the caller); a failure meanwhile is not unhandled
  if (base) {
    const paths = basePaths(changes);
    base.prefetch(aheadOf(paths));
    base.listAhead(paths);
  }
  return { head, base, close: () => base?.close(), checked };
}

/** A push with configs in more folders than this asks the base for item-store.yaml only (the listing reads it all). */
const AHEAD_FOLDERS = 16;

/**
 * What the base is asked for before anyone reads it: item-store.yaml and, when the changed configs that existed at
 * the base lie in a few folders, each folder on their way (the tree objects the listing walks first) and the tags
 * files that may be there. A name that is not there costs git a lookup; what is read stays what the reads ask for.
 */
function aheadOf(basePaths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of basePaths) {
    addFoldersAbove(folders, path);
    if (folders.size > AHEAD_FOLDERS) return [SETTINGS_FILE];
  }
  const names = [SETTINGS_FILE, ...TAGS_FILE_NAMES];
  for (const f of folders) names.push(f, ...TAGS_FILE_NAMES.map((t) => `${f}/${t}`));
  return names;
}

/** The paths the changed configs had at the base (those that existed there). */
function basePaths(changes: ChangeManifest): string[] {
  return changes.entries
    .map((e) => (e.kind === 'config' ? basePathOf(e) : undefined))
    .filter((p): p is string => p !== undefined);
}

/** Warns when the working tree is at another commit than the manifest's head (and not a merge of it). */
async function checkWorkingTree(
  changes: ChangeManifest,
  base: GitTree | undefined,
  logger: Logger,
): Promise<void> {
  const at = await checkedOutCommit(changes, base, logger);
  if (!at || !changes.headSha || at.id === changes.headSha) return;
  if (!(await at.parents()).includes(changes.headSha)) {
    logger.warning(
      `the working tree is at ${at.id.slice(0, 12)}, not at the manifest's head ${changes.headSha.slice(0, 12)}: configs are read from the working tree`,
    );
  }
}

/**
 * HEAD's commit and (on demand) its parents: a pull request's checkout is GitHub's merge commit, whose parents are
 * the base and the head, and that is expected. Read through the base's cat-file process when there is one (no
 * process of its own); with `git rev-parse` and `git rev-list` otherwise, or when that process cannot answer.
 */
async function checkedOutCommit(
  changes: ChangeManifest,
  base: GitTree | undefined,
  logger: Logger,
): Promise<{ id: string; parents: () => Promise<string[]> } | undefined> {
  if (base) {
    const found = await base.commit('HEAD').then(
      (c) => ({ c }),
      () => undefined, // e.g. git could not start: the commands below fail (or answer) as they always did
    );
    if (found) return found.c && { id: found.c.id, parents: async () => found.c!.parents };
  }
  const git = new Git(changes.repoRoot, { safeDirectory: changes.repoRoot, logger });
  const at = await git.run(['rev-parse', '--verify', '-q', 'HEAD^{commit}'], { okCodes: [1, 128] });
  const id = at.stdout.toString().trim();
  if (!id) return undefined;
  return {
    id,
    parents: async () => {
      const r = await git.run(['rev-list', '--parents', '-n', '1', 'HEAD'], { okCodes: [128] });
      return r.stdout.toString().trim().split(' ').slice(1);
    },
  };
}
