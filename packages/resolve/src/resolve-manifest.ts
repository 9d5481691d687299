/**
 * resolve-tags: turns detect-changed-paths' change manifest into the entries the writers act on. Each changed
 * config is resolved in the head tree (its new identity) and, when it existed before, in the base tree (its old
 * identity, read with git from the base commit: its tags.yaml files and item-store.yaml as they were). When the two
 * differ the old identity gets its own `delete` entry (a tombstone in V2, a deleted S3 object), with the reason.
 */
import {
  ConfigError,
  basePathOf,
  RESOLVED_MANIFEST_VERSION,
  sortErrors,
  type ChangeEntry,
  type ChangeManifest,
  type Logger,
  type RepoTree,
  type ResolvedEntry,
  type TreeFile,
  type ResolvedManifest,
} from '@itemstore/core';
import {
  addFoldersAbove,
  classifyPath,
  contentTargetsOf,
  isMainBranch,
  isTagsFile,
  listFor,
  loadSettings,
  pathSetOf,
  resolveTree,
  type ResolvedConfig,
  type ResolveResult,
  type Settings,
  type TagsFile,
} from '@itemstore/config';
import {
  asConfigErrors,
  startContentCheck,
  type ContentCheckOptions,
  type ContentJob,
} from './content-check.js';
import { changedHeadConfigs } from './content-workers.js';

export interface ResolveManifestOptions {
  /** The tree the writers will read (the checked-out head). */
  head: RepoTree;
  /** The base commit's tree; absent in `all` mode or when there is no base. */
  base?: RepoTree;
  /** Overrides the manifest's branch (input `branch`). */
  branch?: string;
  logger?: Logger;
  /** How the content check uses worker threads (tests; the default suits the bundles). */
  contentCheck?: ContentCheckOptions;
  /**
   * openTrees' check of the working tree, under way: awaited before anything is logged here (its warning comes
   * first, and a failure of it fails the run before any other message, as when openTrees waited for it).
   */
  checked?: Promise<void>;
}

export async function resolveManifest(
  changes: ChangeManifest,
  options: ResolveManifestOptions,
): Promise<ResolvedManifest> {
  const branch = options.branch || changes.branch;
  const errors: ConfigError[] = [];
  const out: ResolvedEntry[] = [];

  const configEntries = changes.entries.filter((e) => e.kind === 'config');
  const headPaths = changedHeadConfigs(changes);

  // Content: every config the writers will upload must convert, before anything is written anywhere. The check
  // runs in workers while the tags are resolved; they start now, to load their code while item-store.yaml is read.
  const content = startContentCheck(options.head, headPaths.length, options.contentCheck);
  let settings: Settings;
  let head: ResolveResult;
  let baseByPath: Map<string, ResolvedConfig>;
  try {
    try {
      settings = await loadSettings(options.head);
    } catch (err) {
      await options.checked;
      return finish(changes, branch, false, [], [...errors, ...asConfigErrors(err)]);
    }
    // Each config's targets follow from its path alone: its content is checked before its tags are resolved.
    content.submit(contentJobs(settings, headPaths));

    // The old identities come from the base commit (as it was: its own settings and tags files); git reads its
    // settings and listing meanwhile.
    const wantedBase = configEntries.map(basePathOf).filter((p): p is string => p !== undefined);
    const baseListing = listBase(options.base, wantedBase);
    baseListing.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled rejection

    // The new identities, from the working tree. Its listing first: the base mostly has the same folders and tags
    // files, so git is asked for them in one go now, and the base's listing finds them here instead of walking
    // one folder level per round trip after the head is resolved.
    const tagsFiles = new Map<string, TagsFile>();
    const headFiles = headPaths.length ? await listFor(options.head, settings, headPaths) : [];
    if (wantedBase.length && options.base?.prefetch) {
      const ahead = aheadOfBase(headFiles);
      if (ahead) options.base.prefetch(ahead);
    }
    head = headPaths.length
      ? await resolveTree(options.head, settings, {
          branch,
          paths: headPaths,
          tagsFiles,
          files: headFiles,
        })
      : { configs: [], errors: [] };
    errors.push(...head.errors);

    await options.checked;
    baseByPath = await resolveBase(options.base, await baseListing, branch, tagsFiles, options.logger);

    errors.push(...(await content.finish(head.configs)));
  } finally {
    content.close();
  }
  const onMain = isMainBranch(settings, branch);
  const headByPath = new Map(head.configs.map((c) => [c.path, c]));

  const failed = new Set(errors.filter((e) => e.severity === 'error').map((e) => e.file));
  for (const change of configEntries) {
    // A config with errors gets no entry at all (the run fails; nothing is written on a guess).
    if (failed.has(change.path)) continue;
    const now = change.status === 'deleted' ? undefined : headByPath.get(change.path);
    const basePath = basePathOf(change);
    const before = basePath === undefined ? undefined : baseByPath.get(basePath);

    if (change.status !== 'deleted') {
      if (!now) {
        errors.push(
          new ConfigError('unresolved', 'could not be resolved (see the other problems above)', {
            file: change.path,
          }),
        );
        continue;
      }
      out.push(entry(change, now, 'head', 'upsert', whyUpsert(change, now, before)));
    }
    if (!before) {
      if (change.status === 'deleted' || (change.status === 'renamed' && basePath !== undefined)) {
        if (options.base) {
          errors.push(
            new ConfigError(
              'old-identity-unknown',
              `the identity it had at the base commit could not be resolved, so its old item is left as it is`,
              { file: basePath ?? change.path },
              { severity: 'warning' },
            ),
          );
        }
      }
      continue;
    }
    // What the old identity still needs: V2 tombstone when the identity changed or the config is gone; S3 delete
    // when its object key is no longer written by the new config.
    const identityGone = !now || now.identity !== before.identity || (now.s3Only && !before.s3Only);
    const targets = before.targets.filter((t) => {
      if (t === 'v2') return identityGone || !now?.targets.includes('v2');
      return !now || !now.targets.includes('s3') || now.s3KeyBelowPrefix !== before.s3KeyBelowPrefix;
    });
    if (!targets.length) continue;
    out.push({
      ...entry(change, before, 'base', 'delete', whyDelete(change, now, before, targets)),
      path: before.path,
      targets,
    });
  }

  return finish(changes, branch, onMain, out, errors);
}

/** A head listing with more folders than this is not asked of the base ahead (a large push reads most anyway). */
const AHEAD_FOLDERS = 64;

/** The folders and tags files of the head's listing, to ask the base for ahead; undefined when there are many. */
function aheadOfBase(files: readonly TreeFile[]): string[] | undefined {
  const folders = new Set<string>();
  const tags: string[] = [];
  for (const f of files) {
    const slash = f.path.lastIndexOf('/');
    if (slash > 0 && !folders.has(f.path.slice(0, slash))) {
      addFoldersAbove(folders, f.path);
      if (folders.size > AHEAD_FOLDERS) return undefined;
    }
    if (f.kind === 'file' && isTagsFile(f.path)) tags.push(f.path);
  }
  return [...folders, ...tags];
}

/** The base's settings and the listing its configs resolve in (or why its settings are not usable). */
type BaseListing =
  | { settings: Settings; paths: string[]; files: TreeFile[]; tree: RepoTree }
  | { unusable: unknown }
  | undefined;

/** Reads the base's settings and lists what its `paths` need; started before the head is resolved (git I/O). */
async function listBase(base: RepoTree | undefined, paths: string[]): Promise<BaseListing> {
  if (!base || !paths.length) return undefined;
  let settings: Settings;
  try {
    settings = await loadSettings(base);
  } catch (err) {
    return { unusable: err };
  }
  const files = await listFor(base, settings, paths);
  return { settings, paths, files, tree: prefetchTagsFiles(base, files, paths) };
}

/**
 * The base tree, with the tags files on the way to `paths` already being read (git answers while the head is
 * resolved, instead of one round trip each when the base is): each prefetched file is handed out once, by read().
 */
function prefetchTagsFiles(base: RepoTree, files: readonly TreeFile[], paths: readonly string[]): RepoTree {
  const folders = new Set<string>(['']);
  for (const p of paths) addFoldersAbove(folders, p);
  const reads = new Map<string, Promise<Buffer | undefined>>();
  for (const f of files) {
    if (f.kind !== 'file' || !isTagsFile(f.path)) continue;
    const slash = f.path.lastIndexOf('/');
    if (!folders.has(slash < 0 ? '' : f.path.slice(0, slash))) continue;
    const read = base.read(f.path);
    read.catch(() => undefined); // read() is awaited by whoever asks for the file; an unread failure is no one's
    reads.set(f.path, read);
  }
  const tree: RepoTree = {
    label: base.label,
    list: () => base.list(),
    read(path) {
      const read = reads.get(path);
      reads.delete(path);
      return read ?? base.read(path);
    },
  };
  if (base.listTops) tree.listTops = (tops) => base.listTops!(tops);
  if (base.sizes) tree.sizes = (p) => base.sizes!(p);
  return base.hardLinks ? { ...tree, hardLinks: base.hardLinks } : tree;
}

async function resolveBase(
  base: RepoTree | undefined,
  listing: BaseListing,
  branch: string,
  tagsFiles: Map<string, TagsFile>,
  logger?: Logger,
): Promise<Map<string, ResolvedConfig>> {
  const byPath = new Map<string, ResolvedConfig>();
  if (!base || !listing) return byPath;
  if ('unusable' in listing) {
    logger?.warning(
      `item-store.yaml at the ${base.label} is not usable, so old identities are unknown: ${listing.unusable}`,
    );
    return byPath;
  }
  const { settings, paths, files, tree } = listing;
  const present = pathSetOf(files);
  const existing = [...new Set(paths)].filter((p) => present.has(p));
  if (!existing.length) return byPath;
  const result: ResolveResult = await resolveTree(tree, settings, {
    branch,
    paths: existing,
    tagsFiles,
    files,
  });
  for (const e of result.errors) logger?.debug(`base ${base.label}: ${e.toString()}`);
  for (const c of result.configs) byPath.set(c.path, c);
  return byPath;
}

/** The content check's jobs: the changed configs of the head that are configs of a team, with their targets. */
function contentJobs(settings: Settings, paths: readonly string[]): ContentJob[] {
  const jobs: ContentJob[] = [];
  for (const path of new Set(paths)) {
    const c = classifyPath(settings, path);
    if (c.kind !== 'config') continue;
    const { format, targets, s3Format } = contentTargetsOf(settings, c.team, path);
    jobs.push({ path, format, targets, s3Format });
  }
  return jobs;
}

function entry(
  change: ChangeEntry,
  c: ResolvedConfig,
  side: 'head' | 'base',
  action: 'upsert' | 'delete',
  why: string | undefined,
): ResolvedEntry {
  return {
    path: c.path,
    status: change.status,
    ...(change.previousPath === undefined ? {} : { previousPath: change.previousPath }),
    reason: change.reason,
    side,
    action,
    team: c.team,
    tenant: c.tenant,
    namespace: c.namespace,
    format: c.format,
    name: c.name,
    tags: c.tags,
    identity: c.identity,
    targets: [...c.targets],
    s3Only: c.s3Only,
    ...(c.s3KeyBelowPrefix === undefined ? {} : { s3KeyBelowPrefix: c.s3KeyBelowPrefix }),
    ...(c.s3Format === undefined ? {} : { s3Format: c.s3Format }),
    ...(why === undefined ? {} : { why }),
  };
}

function whyUpsert(
  change: ChangeEntry,
  now: ResolvedConfig,
  before: ResolvedConfig | undefined,
): string | undefined {
  if (change.status === 'renamed' && before && before.identity === now.identity) {
    return `moved from ${change.previousPath}; same identity, so the same item is updated`;
  }
  if (before && before.identity !== now.identity)
    return `new identity: ${describeIdentityChange(before, now)}`;
  if (change.reason === 'tags-changed') return 'a tags.yaml above it changed; identity unchanged';
  if (change.reason === 'settings-changed') return 'item-store.yaml changed; identity unchanged';
  return undefined;
}

function whyDelete(
  change: ChangeEntry,
  now: ResolvedConfig | undefined,
  before: ResolvedConfig,
  targets: string[],
): string {
  if (!now) return change.status === 'deleted' ? 'deleted in git' : `renamed to ${change.path}`;
  if (now.identity !== before.identity) return `identity changed: ${describeIdentityChange(before, now)}`;
  if (targets.includes('s3') && !targets.includes('v2')) {
    return now.targets.includes('s3')
      ? `S3 key moved to ${now.s3KeyBelowPrefix}`
      : 'no longer under default/, so its S3 object goes away';
  }
  return 'no longer deployed to V2';
}

/** `tag interface emr → spark-submit`, `tag env added (qa)`, `namespace a → b`, joined with `; `. */
export function describeIdentityChange(before: ResolvedConfig, now: ResolvedConfig): string {
  const parts: string[] = [];
  if (before.namespace !== now.namespace) parts.push(`namespace ${before.namespace} → ${now.namespace}`);
  const keys = [...new Set([...Object.keys(before.tags), ...Object.keys(now.tags)])].sort();
  for (const k of keys) {
    const a = before.tags[k];
    const b = now.tags[k];
    if (a === b) continue;
    if (a === undefined) parts.push(`tag ${k} added (${b})`);
    else if (b === undefined) parts.push(`tag ${k} removed (was ${a})`);
    else parts.push(`tag ${k} ${a} → ${b}`);
  }
  return parts.join('; ') || 'unchanged';
}

function finish(
  changes: ChangeManifest,
  branch: string,
  isMain: boolean,
  entries: ResolvedEntry[],
  errors: ConfigError[],
): ResolvedManifest {
  return {
    version: RESOLVED_MANIFEST_VERSION,
    mode: changes.mode,
    ...(changes.note === undefined ? {} : { note: changes.note }),
    event: changes.event,
    branch,
    isMainBranch: isMain,
    baseSha: changes.baseSha,
    headSha: changes.headSha,
    workingDirectory: changes.workingDirectory,
    repoRoot: changes.repoRoot,
    entries,
    errors: sortErrors(errors).map((e) => e.toJSON()),
  };
}
