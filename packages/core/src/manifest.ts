/**
 * The files that pass between the actions. Outputs are size-limited, so lists travel as JSON files whose path is an
 * output. Both carry `version` so a reader can refuse a file it does not understand.
 */
import type { ConfigErrorJSON } from './errors.js';

export const CHANGE_MANIFEST_VERSION = 1;
export const RESOLVED_MANIFEST_VERSION = 1;

export type ChangeStatus =
  'added' | 'modified' | 'deleted' | 'renamed' | 'type-changed' | 'copied' | 'unchanged';

/** What a repo path is by its shape alone (config/src/paths.ts `pathKind` decides it). */
export type PathKind = 'config' | 'tags' | 'settings';

/** Why a path is in the manifest. */
export type ChangeReason =
  | 'changed' // the file itself changed
  | 'tags-changed' // a tags.yaml above it changed
  | 'settings-changed' // item-store.yaml changed
  | 'all'; // "everything" mode: no base, or a manual full run

export interface ChangeEntry {
  /** Path relative to the config repo root (the `working-directory`), forward slashes, exact bytes as in git. */
  path: string;
  status: ChangeStatus;
  /** For `renamed` and `copied`: the path in the base commit. */
  previousPath?: string;
  reason: ChangeReason;
  /** What kind of file this is (`config`, `tags`, `settings`). */
  kind: PathKind;
  /** Set when the path is a symbolic link in git (mode 120000). */
  symlink?: boolean;
}

/** detect-changed-paths' output. */
export interface ChangeManifest {
  version: typeof CHANGE_MANIFEST_VERSION;
  /** `diff`: entries are the changes between base and head. `all`: every config at head (no usable base). */
  mode: 'diff' | 'all';
  /** Why `mode` is `all`, in one sentence (for the summary), or why a fallback happened. */
  note?: string;
  event: string;
  /** Branch name exactly as spelled in the ref (`refs/heads/Feature/ABC` → `Feature/ABC`). */
  branch: string;
  baseSha: string | null;
  headSha: string;
  /** The config repo's root relative to the git work tree root ('' when they are the same). */
  workingDirectory: string;
  /** Absolute path of the git work tree the manifest was made from. */
  repoRoot: string;
  entries: ChangeEntry[];
}

export type Target = 'v2' | 's3';

/** What a writer must do for an entry. */
export type EntryAction = 'upsert' | 'delete';

export interface ResolvedEntry {
  path: string;
  status: ChangeStatus;
  previousPath?: string;
  reason: ChangeReason;
  /** `head`: resolved from the head tree (the new identity). `base`: from the base tree (an identity going away). */
  side: 'head' | 'base';
  action: EntryAction;
  team: string;
  tenant: string;
  namespace: string;
  /** `plain`, `config-list` or `dq`. */
  format: string;
  /** File name without extension, case kept (the implicit `name` tag). */
  name: string;
  /** Effective tags, keys sorted. */
  tags: Record<string, string>;
  /** A stable string for (namespace, tags): `namespace?k1=v1&k2=v2`, keys sorted, values URI-encoded. */
  identity: string;
  targets: Target[];
  /** True when the name ends with an s3OnlySuffixes entry. */
  s3Only: boolean;
  /** Key below the tenant's prefix (`<team>/<path below default/>`), when S3 is a target. */
  s3KeyBelowPrefix?: string;
  /** `legacy-multidoc` when S3 stores the legacy multi-document YAML, else `bytes`. */
  s3Format?: 'bytes' | 'legacy-multidoc';
  /** One sentence for the summary, e.g. `identity changed: tag interface emr → spark-submit`. */
  why?: string;
}

/** resolve-tags' output: what the writers act on. */
export interface ResolvedManifest {
  version: typeof RESOLVED_MANIFEST_VERSION;
  mode: 'diff' | 'all';
  note?: string;
  event: string;
  branch: string;
  /** True when `branch` is the settings' mainBranch (no `branch` tag, S3 allowed). */
  isMainBranch: boolean;
  baseSha: string | null;
  headSha: string;
  workingDirectory: string;
  repoRoot: string;
  entries: ResolvedEntry[];
  errors: ConfigErrorJSON[];
}

/** The path an entry's config had at the base commit; undefined when it did not exist there (added, copied). */
export function basePathOf(e: Pick<ChangeEntry, 'path' | 'status' | 'previousPath'>): string | undefined {
  return e.status === 'added' || e.status === 'copied' ? undefined : (e.previousPath ?? e.path);
}

/**
 * For each `delete` entry that belongs to a rename or an identity change (the same change gave an upsert of the new
 * identity and a delete of the old one): the upsert that replaces it. Writers apply such a delete only after that
 * upsert succeeded in the same store, so a failed write never leaves the config missing. A plain deletion (the
 * config is gone from git) has no replacement.
 */
export function replacementsOf(entries: readonly ResolvedEntry[]): Map<ResolvedEntry, ResolvedEntry> {
  const upsertByBasePath = new Map<string, ResolvedEntry>();
  for (const e of entries) {
    const basePath = basePathOf(e);
    if (e.action !== 'upsert' || basePath === undefined) continue;
    upsertByBasePath.set(basePath, e);
  }
  const out = new Map<ResolvedEntry, ResolvedEntry>();
  for (const e of entries) {
    if (e.action !== 'delete' || e.status === 'deleted') continue;
    const r = upsertByBasePath.get(e.path);
    if (r) out.set(e, r);
  }
  return out;
}
