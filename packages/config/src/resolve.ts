/**
 * Tag resolution over a whole tree (SPEC §2): which configs exist, their effective tags, identity, targets and S3
 * key. Reads only tags files through the RepoTree, so it resolves a git commit exactly like the working tree.
 * User mistakes are returned, never thrown.
 */
import {
  ConfigError,
  ConfigErrors,
  LIMITS,
  RESOLVED_MANIFEST_VERSION,
  codePointLength,
  formatBytes,
  sortErrors,
  type Logger,
  type RepoTree,
  type ResolvedManifest,
  type TreeFile,
} from '@itemstore/core';
import { posix } from 'node:path';
import {
  baseName,
  classifyPath,
  configName,
  dirName,
  isConfigPathShape,
  nameOfBase,
  pathBelowDefault,
} from './paths.js';
import type { ConfigFormat } from '@itemstore/convert';
import { s3FormatFor, type S3Format } from './s3-target.js';
import { DEFAULT_MAX_CONFIG_BYTES, isMainBranch, type Settings } from './settings.js';
import { decodeRepoText } from './yaml-source.js';
import { itemIdentity, parseTagsFile, sortTags, tagValueProblem, type Tags, type TagsFile } from './tags.js';

export interface ResolvedConfig {
  /** Relative to the config repo root, forward slashes, as in git. */
  path: string;
  team: string;
  tenant: string;
  namespace: string;
  format: ConfigFormat;
  /** The implicit `name` tag: file name without extension, case kept. */
  name: string;
  /** Effective tags (including name, team and, off the main branch, branch), keys sorted. */
  tags: Record<string, string>;
  /** `namespace?k1=v1&k2=v2` (see itemIdentity). */
  identity: string;
  targets: ('v2' | 's3')[];
  /** The name ends with one of settings.s3OnlySuffixes: S3 only, never V2. */
  s3Only: boolean;
  /** `<team>/<path below default/>`, when S3 is a target. */
  s3KeyBelowPrefix?: string;
  /** What S3 stores, when S3 is a target. */
  s3Format?: S3Format;
}

export interface ResolveOptions {
  /** The branch being deployed. When it is not settings.mainBranch every item also gets `branch=<exact name>`. */
  branch?: string;
  /**
   * Only resolve these configs (repo-relative; a folder means every config below it). Every other config is still
   * resolved so identity conflicts with it are found, but only problems that concern these paths are returned.
   */
  paths?: string[];
  /**
   * Parsed tags files by path and text, to share between calls: resolve-tags resolves the head and then the base,
   * whose tags files are mostly the same bytes, and parses each such file once.
   */
  tagsFiles?: Map<string, TagsFile>;
  /**
   * The tree's listing as listFor(tree, settings, p) gives it, for paths `p` that include `paths`, when the caller
   * has it already (resolve-tags lists the base to see which configs it has): not listed a second time.
   */
  files?: TreeFile[];
}

export interface ResolveResult {
  /** The configs that resolved without errors, sorted by path. */
  configs: ResolvedConfig[];
  /** Problems (errors and warnings), sorted by file, line, column. */
  errors: ConfigError[];
}

interface FolderTags {
  file: string;
  tags: Tags;
  files: Record<string, Tags>;
  /** False when the tags file has errors: configs below it cannot be resolved (their identity is unknown). */
  ok: boolean;
  errors: ConfigError[];
}

export async function resolveTree(
  tree: RepoTree,
  settings: Settings,
  options: ResolveOptions = {},
): Promise<ResolveResult> {
  const files = options.files ?? (await listFor(tree, settings, options.paths));
  const onMain = isMainBranch(settings, options.branch);
  if (!onMain) {
    const problem = tagValueProblem(options.branch as string);
    if (problem) {
      return {
        configs: [],
        errors: [
          new ConfigError(
            'branch-invalid',
            `branch "${options.branch}" cannot be used as the branch tag: ${problem}`,
          ),
        ],
      };
    }
  }

  // 1. What every path is.
  const paths = classifyFiles(settings, files);

  // 2. Which configs the caller asked about.
  const errors: ConfigError[] = [];
  const requested = options.paths ? selectPaths(options.paths, files, settings, errors) : undefined;
  const wanted = (path: string): boolean => !requested || requested.has(path);

  // 3. Which configs to resolve.
  const scope = await scopeOf(tree, settings, paths.configFiles, requested);

  // 4. Every tags file those configs need, by folder.
  const folders = await readTagsFiles(tree, files, paths.tagsFiles, scope.neededFolders, options.tagsFiles);

  // 5. Resolve every config in scope (a requested config can conflict with any other of its namespace). A config
  // not asked about only needs its identity (the same checks, no tags object or targets): it is resolved in full
  // only when it turns out to be the same item as a config asked about (a rare error).
  const reportFolders = new Set<string>();
  const context: ConfigContext = {
    settings,
    folders,
    onMain,
    branch: options.branch,
    maxBytes: settings.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES,
    byFolder: new Map(),
  };
  const reportChains = new Set<string[]>();
  const n = scope.configs.length;
  const full: (ResolvedConfig | undefined)[] = new Array(n);
  const asked: boolean[] = new Array(n);
  /** Identity → the index in scope.configs of the config with it, or the indices (in scope order) of several. */
  const byIdentity = new Map<string, number | number[]>();
  for (let i = 0; i < n; i++) {
    const { file, team } = scope.configs[i]!;
    const chain = scope.chains[i]!;
    const isAsked = (asked[i] = wanted(file.path));
    const size = file.size ?? scope.sizes?.get(file.path);
    let identity: string;
    if (isAsked) {
      reportChains.add(chain);
      const result = resolveConfig(file, team, chain, size, context);
      if (result instanceof ConfigError) {
        errors.push(result);
        continue;
      }
      if (!result) continue;
      full[i] = result;
      identity = result.identity;
    } else {
      const result = resolveConfig(file, team, chain, size, context, true);
      if (typeof result !== 'string') continue;
      identity = result;
    }
    const group = byIdentity.get(identity);
    if (group === undefined) byIdentity.set(identity, i);
    else if (typeof group === 'number') byIdentity.set(identity, [group, i]);
    else group.push(i);
  }
  for (const chain of reportChains) for (const d of chain) reportFolders.add(d);
  // The groups of two or more configs that hold a config asked about, each member resolved in full.
  const sameItems: number[][] = [];
  for (const group of byIdentity.values()) {
    if (typeof group === 'number' || !group.some((i) => asked[i])) continue;
    for (const i of group) {
      if (full[i]) continue;
      const { file, team } = scope.configs[i]!;
      const size = file.size ?? scope.sizes?.get(file.path);
      const result = resolveConfig(file, team, scope.chains[i]!, size, context);
      if (!result || result instanceof ConfigError)
        throw new Error(`resolve: ${file.path} resolved only in part`);
      full[i] = result;
    }
    sameItems.push(group);
  }
  // Configs not asked about were resolved without their size (see sizeConflicting).
  const unsized = (i: number): boolean =>
    tree.sizes !== undefined && !asked[i] && needsSize(scope.configs[i]!.file);
  const tooLarge = await sizeConflicting(tree, scope.configs, sameItems, unsized, context.maxBytes);

  // 6. Two configs that are the same item: an error on each of them.
  const conflicted = identityConflicts(sameItems, full, tooLarge, errors);

  // 7. Problems of paths and tags files that concern what was asked.
  for (const [path, err] of paths.pathErrors) if (wanted(path)) errors.push(err);
  if (!requested) errors.push(...paths.symlinkWarnings.values());
  for (const w of scope.hardlinkWarnings) if (wanted(w.file as string)) errors.push(w);
  for (const [dir, entry] of folders) if (!requested || reportFolders.has(dir)) errors.push(...entry.errors);

  const configs: ResolvedConfig[] = [];
  for (let i = 0; i < n; i++) {
    const c = full[i];
    if (c && asked[i] && !conflicted.has(c.path)) configs.push(c);
  }
  return {
    configs: configs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    errors: sortErrors(errors),
  };
}

/**
 * The listing resolveTree needs: with `paths`, only the root's own entries and the team folders of the namespaces
 * those paths are in (every answer below depends on nothing else: a config conflicts only within its namespace, its
 * tags files lie on its own path, a files entry names a file in its tags file's folder), so a one-file push does not
 * walk 10,000 files. The whole tree when a path is not a plain repo path or the tree cannot list part of itself.
 */
export async function listFor(
  tree: RepoTree,
  settings: Settings,
  paths: readonly string[] | undefined,
): Promise<TreeFile[]> {
  const tops = paths && tree.listTops ? topFoldersOf(settings, paths) : undefined;
  return tops && tree.listTops ? tree.listTops(tops) : tree.list();
}

/** The top-level folders to list for `paths` (theirs, and every team folder sharing a namespace with them). */
function topFoldersOf(settings: Settings, paths: readonly string[]): string[] | undefined {
  const tops = new Set<string>();
  for (const raw of paths) {
    const p = normalizeRepoPath(raw);
    if (p === '' || p === '..' || p.startsWith('../') || p.startsWith('/')) return undefined;
    tops.add(p.split('/')[0] as string);
  }
  const namespaces = new Set<string>();
  for (const t of tops) if (Object.hasOwn(settings.teams, t)) namespaces.add(settings.teams[t]!.namespace);
  for (const [team, t] of Object.entries(settings.teams)) if (namespaces.has(t.namespace)) tops.add(team);
  return [...tops];
}

interface ClassifiedFiles {
  configFiles: { file: TreeFile; team: string }[];
  tagsFiles: TreeFile[];
  pathErrors: Map<string, ConfigError>;
  symlinkWarnings: Map<string, ConfigError>;
}

/** Step 1: what every path is (config, tags file, a path error), and warnings for symlinks that are not followed. */
function classifyFiles(settings: Settings, files: readonly TreeFile[]): ClassifiedFiles {
  const configFiles: { file: TreeFile; team: string }[] = [];
  const tagsFiles: TreeFile[] = [];
  const pathErrors = new Map<string, ConfigError>();
  const symlinkWarnings = new Map<string, ConfigError>();
  for (const f of files) {
    const c = classifyPath(settings, f.path);
    if (c.kind === 'config') configFiles.push({ file: f, team: c.team });
    else if (c.kind === 'tags') tagsFiles.push(f);
    else if (c.kind === 'error') pathErrors.set(f.path, c.error);
    else if (
      c.kind === 'ignored' &&
      f.kind === 'symlink' &&
      !f.path.split('/').some((s) => s.startsWith('.'))
    ) {
      const top = f.path.split('/')[0] as string;
      if (!f.path.includes('/') && Object.hasOwn(settings.teams, top)) {
        symlinkWarnings.set(
          f.path,
          new ConfigError(
            'team-folder-symlink',
            `the team folder ${top}/ is a symlink (to ${f.linkTarget ?? '?'}), which is never followed: none of its configs is deployed; make it a real folder`,
            { file: f.path },
            { severity: 'warning' },
          ),
        );
      } else if (f.path.includes('/') && Object.hasOwn(settings.teams, top)) {
        symlinkWarnings.set(
          f.path,
          new ConfigError(
            'symlink-ignored',
            `a symlink (to ${f.linkTarget ?? '?'}) is not followed: nothing behind it is deployed`,
            { file: f.path },
            { severity: 'warning' },
          ),
        );
      }
    }
  }

  return { configFiles, tagsFiles, pathErrors, symlinkWarnings };
}

interface Scope {
  configs: { file: TreeFile; team: string }[];
  /** Each config's folders, root first (by index in `configs`; one array per folder, shared). */
  chains: string[][];
  /** The folders whose tags files are needed (undefined: all of them). */
  neededFolders: Set<string> | undefined;
  sizes: Map<string, number> | undefined;
  hardlinkWarnings: ConfigError[];
}

/**
 * Step 3: which configs to resolve. Two configs can be the same item only within one namespace (the identity starts
 * with it) and with the same name (the identity holds `name=` and the encoded name, and no other key or value can
 * hold an unencoded `&` or `=`), so when paths were asked for, only those configs and the configs of their
 * namespaces that share a name with one of them are resolved, and only the tags files on their way are read: a
 * one-file push in a 10,000-config repo resolves a handful of configs, not the repo.
 */
async function scopeOf(
  tree: RepoTree,
  settings: Settings,
  configFiles: { file: TreeFile; team: string }[],
  requested: Set<string> | undefined,
): Promise<Scope> {
  const hardlinkWarnings: ConfigError[] = [];
  let scope = configFiles;
  if (requested) {
    const namespaces = new Set<string>();
    const names = new Set<string>();
    for (const c of configFiles) {
      if (!requested.has(c.file.path)) continue;
      namespaces.add(settings.teams[c.team]!.namespace);
      names.add(configName(c.file.path));
    }
    scope = configFiles.filter(
      (c) =>
        namespaces.has(settings.teams[c.team]!.namespace) &&
        (requested.has(c.file.path) || names.has(configName(c.file.path))),
    );
  }
  // One chain per folder, shared by the configs in it (a config in the same folder as the one before it, as most
  // are in path order, takes its chain without a lookup).
  const byFolder = new Map<string, string[]>();
  const chains: string[][] = new Array(scope.length);
  let last: { prefix: string; slash: number; chain: string[] } | undefined;
  for (const [i, c] of scope.entries()) {
    const path = c.file.path;
    const slash = path.lastIndexOf('/');
    if (!last || last.slash !== slash || !path.startsWith(last.prefix)) {
      const dir = slash < 0 ? '' : path.slice(0, slash);
      let chain = byFolder.get(dir);
      if (!chain) byFolder.set(dir, (chain = folderChain(path)));
      last = { prefix: path.slice(0, slash + 1), slash, chain };
    }
    chains[i] = last.chain;
  }
  const neededFolders = requested ? new Set([...byFolder.values()].flat()) : undefined;
  // Sizes (a stat each) of the configs asked about; the others' only matter when they are the same item as one of
  // those (see sizeConflicting).
  const sizes = tree.sizes
    ? await tree.sizes(
        scope
          .filter((c) => needsSize(c.file) && (!requested || requested.has(c.file.path)))
          .map((c) => c.file.path),
      )
    : undefined;
  const hardLinks = tree.hardLinks;
  for (const c of hardLinks?.size ? scope : []) {
    const links = hardLinks?.get(c.file.path);
    if (links !== undefined) {
      hardlinkWarnings.push(
        new ConfigError(
          'hardlink',
          `this file has ${links} hard links: another path (perhaps outside the repo) shares its content, so a change there changes what is deployed from here; git stores a plain copy, make it one (cp, then commit)`,
          { file: c.file.path },
          { severity: 'warning' },
        ),
      );
    }
  }

  return { configs: scope, chains, neededFolders, sizes, hardlinkWarnings };
}

/** Step 4: every tags file the configs in scope need, by folder (read concurrently, looked at in path order). */
async function readTagsFiles(
  tree: RepoTree,
  files: readonly TreeFile[],
  tagsFiles: readonly TreeFile[],
  neededFolders: Set<string> | undefined,
  parsedFiles: Map<string, TagsFile> = new Map(),
): Promise<Map<string, FolderTags>> {
  const folders = new Map<string, FolderTags>();
  const neededTags = neededFolders ? tagsFiles.filter((f) => neededFolders.has(dirName(f.path))) : tagsFiles;
  const tagBytes = await Promise.all(
    neededTags.map((f) => (f.kind === 'file' ? tree.read(f.path) : undefined)),
  );
  for (const [i, f] of neededTags.entries()) {
    const dir = dirName(f.path);
    const existing = folders.get(dir);
    if (existing) {
      const err = new ConfigError(
        'duplicate-tags-file',
        `${existing.file} and ${f.path} are both in ${dir || 'the repo root'}; keep only one tags file per folder`,
        { file: f.path, line: 1, column: 1 },
      );
      existing.ok = false;
      existing.errors.push(err);
      continue;
    }
    const entry: FolderTags = { file: f.path, tags: {}, files: {}, ok: true, errors: [] };
    folders.set(dir, entry);
    if (f.kind !== 'file') {
      entry.ok = false;
      entry.errors.push(
        new ConfigError(
          f.kind === 'symlink' ? 'symlink' : 'not-a-file',
          `a ${f.kind}${f.linkTarget ? ` to ${f.linkTarget}` : ''}; tags files must be regular files`,
          { file: f.path },
        ),
      );
      continue;
    }
    const bytes = tagBytes[i];
    if (bytes === undefined) {
      entry.ok = false;
      entry.errors.push(
        new ConfigError('unreadable', `could not be read from the ${tree.label}`, { file: f.path }),
      );
      continue;
    }
    if (bytes.length > LIMITS.tagsFileBytes) {
      entry.ok = false;
      entry.errors.push(
        new ConfigError(
          'file-too-large',
          `${formatBytes(bytes.length)}, over the ${formatBytes(LIMITS.tagsFileBytes)} limit for a tags file`,
          { file: f.path, line: 1, column: 1 },
        ),
      );
      continue;
    }
    const text = decodeRepoText(bytes, f.path);
    if (text instanceof ConfigError) {
      entry.ok = false;
      entry.errors.push(text);
      continue;
    }
    const key = `${f.path}\0${text}`;
    let parsed = parsedFiles.get(key);
    if (!parsed) parsedFiles.set(key, (parsed = parseTagsFile(text, f.path)));
    entry.tags = parsed.tags;
    entry.files = parsed.files;
    entry.errors.push(...parsed.errors);
    if (parsed.errors.some((e) => e.severity === 'error')) entry.ok = false;
    for (const name of Object.keys(parsed.files)) {
      const target = dir ? `${dir}/${name}` : name;
      if (!pathSetOf(files).has(target)) {
        const at = parsed.fileKeyLocations[name];
        entry.errors.push(
          new ConfigError(
            'tags-unknown-file',
            `files.${name}: there is no ${name} in ${dir || 'the repo root'}; a files entry applies only to a file in the tags file's own folder`,
            { file: f.path, ...(at ? { line: at.line, column: at.column } : {}) },
            { severity: 'warning' },
          ),
        );
      }
    }
  }

  return folders;
}

interface ConfigContext {
  settings: Settings;
  folders: Map<string, FolderTags>;
  onMain: boolean;
  branch: string | undefined;
  maxBytes: number;
  /** What every config of a folder shares, by the folder's chain (see folderOf). */
  byFolder: Map<string[], ConfigFolder>;
}

/** What the configs of one folder share: the tags from the tags files on their way, and where S3 keys start. */
interface ConfigFolder {
  /** False when a tags file on the way has errors. */
  ok: boolean;
  /** The tags of the tags files from the root down (before a files entry and name, team and branch). */
  tags: Tags;
  /** This folder's files entries. */
  files: Record<string, Tags> | undefined;
  /** pathBelowDefault of a file in this folder, without the file name; undefined when not below default/. */
  belowDefault: string | undefined;
  /**
   * For a config with no files entry, which is most: its tags are `tags` (sorted, with a placeholder name), and its
   * identity is `identityHead` + the encoded name + `identityTail`; `count` is how many tags that is. Made with
   * sortTags and itemIdentity themselves; undefined when the placeholder cannot be found in the identity.
   */
  template: { tags: Tags; count: number; identityHead: string; identityTail: string } | undefined;
}

/** The name in a folder's template: a control character, which no valid name has and encodes to `%00`. */
const NAME_PLACEHOLDER = '\u0000';

/** `chain` is the folder's chain (root first, the folder last), the same array for every config in it. */
function folderOf(team: string, chain: string[], context: ConfigContext): ConfigFolder {
  let folder = context.byFolder.get(chain);
  if (folder) return folder;
  const dir = chain[chain.length - 1]!;
  const { folders, settings, onMain } = context;
  const ok = !chain.some((d) => folders.get(d)?.ok === false);
  const tags: Tags = {};
  if (ok) for (const d of chain) Object.assign(tags, folders.get(d)?.tags);
  folder = {
    ok,
    tags,
    files: folders.get(dir)?.files,
    belowDefault: pathBelowDefault(`${dir}/`),
    template: undefined,
  };
  if (ok) {
    const t: Tags = { ...tags };
    t.name = NAME_PLACEHOLDER;
    t.team = team;
    if (!onMain) t.branch = context.branch as string;
    const sorted = sortTags(t);
    const namespace = settings.teams[team]!.namespace;
    const identity = itemIdentity(namespace, sorted);
    const mark = `name=${encodeURIComponent(NAME_PLACEHOLDER)}`;
    const at = identity.indexOf(mark, namespace.length);
    if (at >= 0 && identity.indexOf(mark, at + 1) < 0) {
      folder.template = {
        tags: sorted,
        count: Object.keys(sorted).length,
        identityHead: identity.slice(0, at + 'name='.length),
        identityTail: identity.slice(at + mark.length),
      };
    }
  }
  context.byFolder.set(chain, folder);
  return folder;
}

/**
 * Step 5 for one config: its tags (root → folder → files entry, then name/team/branch), identity and targets; the
 * problem that stops it; or undefined when a tags file above it has errors (that file's own errors say why).
 * `identityOnly`: the same checks, answering just the identity (a string) of a config that resolves.
 */
function resolveConfig(
  f: TreeFile,
  team: string,
  chain: string[],
  size: number | undefined,
  context: ConfigContext,
): ResolvedConfig | ConfigError | undefined;
function resolveConfig(
  f: TreeFile,
  team: string,
  chain: string[],
  size: number | undefined,
  context: ConfigContext,
  identityOnly: true,
): string | ConfigError | undefined;
function resolveConfig(
  f: TreeFile,
  team: string,
  chain: string[],
  size: number | undefined,
  context: ConfigContext,
  identityOnly = false,
): ResolvedConfig | string | ConfigError | undefined {
  const { settings, onMain, maxBytes } = context;
  const path = f.path;
  if (f.kind === 'symlink') {
    return symlinkError(f);
  }
  if (f.kind !== 'file') {
    return new ConfigError('not-a-file', `a ${f.kind}, not a file; configs must be regular files`, {
      file: path,
    });
  }
  // A string has at least as many UTF-16 units as code points: only a long path needs counting.
  if (path.length > LIMITS.pathLength && codePointLength(path) > LIMITS.pathLength) {
    return new ConfigError(
      'path-too-long',
      `the path is ${codePointLength(path)} characters; config paths are at most ${LIMITS.pathLength} (each version records it)`,
      { file: path },
    );
  }
  if (size !== undefined && size > maxBytes) {
    return new ConfigError(
      'too-large',
      `${size} bytes; configs are at most ${maxBytes} bytes (maxConfigBytes in item-store.yaml)`,
      {
        file: path,
      },
    );
  }
  // Tags from the root down: nearer folders win, then this folder's files entry.
  const folder = folderOf(team, chain, context);
  if (!folder.ok) return undefined; // the tags file's own errors say why
  const base = baseName(path);
  const entry = folder.files?.[base];
  const name = nameOfBase(base);
  const nameProblem = tagValueProblem(name);
  if (nameProblem) {
    return new ConfigError('name-invalid', `the file name gives the tag name="${name}": ${nameProblem}`, {
      file: path,
    });
  }
  const teamSettings = settings.teams[team]!;
  let sorted: Tags | undefined;
  let identity: string;
  const template = entry === undefined ? folder.template : undefined;
  if (template) {
    // The folder's tags with this name (the same key order: sorted keys do not depend on the values).
    identity = `${template.identityHead}${encodeURIComponent(name)}${template.identityTail}`;
  } else {
    const tags: Tags = { ...folder.tags };
    Object.assign(tags, entry);
    tags.name = name;
    tags.team = team;
    if (!onMain) tags.branch = context.branch as string;
    sorted = sortTags(tags);
    identity = itemIdentity(teamSettings.namespace, sorted);
  }
  const tagCount = template ? template.count : Object.keys(sorted!).length;
  if (tagCount > LIMITS.tagsPerItem) {
    return new ConfigError(
      'too-many-tags',
      `${tagCount} tags (name, team${onMain ? '' : ', branch'} included); an item has at most ${LIMITS.tagsPerItem}: remove some from the tags.yaml files above it`,
      { file: path },
    );
  }

  // An S3-only name (targetsOf) outside default/ (no S3 key) has nowhere to go.
  const s3Only = settings.s3OnlySuffixes.some((s) => name.endsWith(s));
  if (s3Only && folder.belowDefault === undefined) {
    const suffix = settings.s3OnlySuffixes.find((s) => name.endsWith(s));
    return new ConfigError(
      's3-only-outside-default',
      `the name ends with ${suffix}, so it goes to S3 only, but only configs under ${team}/default/ go to S3: move it there or rename it`,
      { file: path },
    );
  }
  if (identityOnly) return identity;
  if (template) {
    sorted = { ...template.tags };
    sorted.name = name;
  }
  const below = folder.belowDefault === undefined ? undefined : `${folder.belowDefault}${base}`;
  const where = targetsOf(settings, team, name, below);
  const cfg: ResolvedConfig = {
    path,
    team,
    tenant: teamSettings.tenant,
    namespace: teamSettings.namespace,
    format: where.format,
    name,
    tags: sorted!,
    identity,
    targets: where.targets,
    s3Only: where.s3Only,
  };
  if (where.s3KeyBelowPrefix !== undefined) {
    cfg.s3KeyBelowPrefix = where.s3KeyBelowPrefix;
    cfg.s3Format = where.s3Format;
  }
  return cfg;
}

/** Where a config's content goes and in which form: what the content check needs, from its path alone. */
export type ContentTargets = Pick<
  ResolvedConfig,
  'format' | 'targets' | 's3Only' | 's3KeyBelowPrefix' | 's3Format'
>;

/**
 * A config's format, targets and S3 key and form, which follow from item-store.yaml and its path alone (no tags
 * file): resolve-tags starts checking contents with these before the tags are resolved. `team` is the path's team
 * (classifyPath). An S3-only name outside default/ has no S3 key, which resolveConfig refuses.
 */
export function contentTargetsOf(settings: Settings, team: string, path: string): ContentTargets {
  return targetsOf(settings, team, configName(path), pathBelowDefault(path));
}

function targetsOf(
  settings: Settings,
  team: string,
  name: string,
  below: string | undefined,
): ContentTargets {
  const teamSettings = settings.teams[team]!;
  const s3Only = settings.s3OnlySuffixes.some((s) => name.endsWith(s));
  const targets: ('v2' | 's3')[] = s3Only
    ? below === undefined
      ? []
      : ['s3']
    : below === undefined
      ? ['v2']
      : ['v2', 's3'];
  const out: ContentTargets = { format: teamSettings.format, targets, s3Only };
  if (below !== undefined) {
    out.s3KeyBelowPrefix = `${team}/${below}`;
    out.s3Format = s3FormatFor(teamSettings.format, teamSettings.s3Format);
  }
  return out;
}

function needsSize(f: TreeFile): boolean {
  return f.kind === 'file' && f.size === undefined;
}

/**
 * Step 5b: a config not asked about was resolved without its size. A config over the size limit is no item at all
 * (so it conflicts with nothing), which matters only where it would be the same item as a config asked about: those
 * few get their stat now, and the too large ones (their indices) are answered, to leave their groups. The rest never
 * needed one.
 */
async function sizeConflicting(
  tree: RepoTree,
  configs: readonly { file: TreeFile }[],
  sameItems: readonly (readonly number[])[],
  unsized: (i: number) => boolean,
  maxBytes: number,
): Promise<Set<number>> {
  const tooLarge = new Set<number>();
  if (!tree.sizes) return tooLarge;
  const ask: number[] = [];
  for (const group of sameItems) for (const i of group) if (unsized(i)) ask.push(i);
  if (!ask.length) return tooLarge;
  const sizes = await tree.sizes(ask.map((i) => configs[i]!.file.path));
  for (const i of ask) if ((sizes.get(configs[i]!.file.path) ?? 0) > maxBytes) tooLarge.add(i);
  return tooLarge;
}

/**
 * Step 6: configs that are the same item (`sameItems`: groups by identity in scope order, each holding a config
 * asked about; `tooLarge` are no items), each with an error.
 */
function identityConflicts(
  sameItems: readonly (readonly number[])[],
  full: readonly (ResolvedConfig | undefined)[],
  tooLarge: ReadonlySet<number>,
  errors: ConfigError[],
): Set<string> {
  const conflicted = new Set<string>();
  for (const members of sameItems) {
    const group = members.filter((i) => !tooLarge.has(i)).map((i) => full[i]!);
    if (group.length < 2) continue;
    for (const c of group) {
      conflicted.add(c.path);
      const others = group.filter((o) => o !== c).map((o) => o.path);
      errors.push(
        new ConfigError(
          'identity-conflict',
          `same item as ${others.join(', ')} (namespace ${c.namespace}, tags ${formatTags(c.tags)}): ` +
            'keep one of them, or tell them apart with tags (a files: entry in tags.yaml)',
          { file: c.path },
        ),
      );
    }
  }

  return conflicted;
}

/** `k=v, k=v` for messages and tables. */
export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** '' (root), 'team', 'team/sub', ... down to the config's own folder. */
function folderChain(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  const out = [''];
  for (let i = 1; i <= parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

function symlinkError(f: TreeFile): ConfigError {
  const target = f.linkTarget ?? '';
  const resolved = posix.normalize(posix.join(dirName(f.path) || '.', target));
  const escapes = target === '' || target.startsWith('/') || resolved === '..' || resolved.startsWith('../');
  return escapes
    ? new ConfigError(
        'symlink-escape',
        `a symlink to ${target}, which is outside the repository; configs must be regular files in the repo`,
        { file: f.path },
      )
    : new ConfigError(
        'symlink',
        `a symlink to ${target}; configs must be regular files (symlinks are never followed): copy the file instead`,
        { file: f.path },
      );
}

const pathSets = new WeakMap<readonly TreeFile[], { has(path: string): boolean }>();

/**
 * The paths of a listing, to look paths up in, made once per listing array (resolve-tags looks paths up in the same
 * 10,000-file listing three times; a listing is not changed after it is made). A listing sorted by path, as
 * RepoTree.list() gives it, is searched in place (no set of 10,000 hashed strings); any other gets a set.
 */
export function pathSetOf(files: readonly TreeFile[]): { has(path: string): boolean } {
  let set = pathSets.get(files);
  if (!set) {
    let sorted = true;
    for (let i = 1; i < files.length && sorted; i++) sorted = files[i - 1]!.path < files[i]!.path;
    if (sorted) {
      set = {
        has(path: string): boolean {
          let lo = 0;
          let hi = files.length - 1;
          while (lo <= hi) {
            const mid = (lo + hi) >>> 1;
            const at = files[mid]!.path;
            if (at === path) return true;
            if (at < path) lo = mid + 1;
            else hi = mid - 1;
          }
          return false;
        },
      };
    } else {
      const paths = new Set<string>();
      for (const f of files) paths.add(f.path);
      set = paths;
    }
    pathSets.set(files, set);
  }
  return set;
}

/** The repo paths of the configs asked for; unknown paths and non-configs become problems. */
function selectPaths(
  paths: string[],
  files: TreeFile[],
  settings: Settings,
  errors: ConfigError[],
): Set<string> {
  const selected = new Set<string>();
  const present = pathSetOf(files);
  const isCandidate = (p: string): boolean => {
    const k = classifyPath(settings, p).kind;
    return k === 'config' || k === 'error';
  };
  for (const raw of paths) {
    const p = normalizeRepoPath(raw);
    if (present.has(p)) {
      if (isCandidate(p)) selected.add(p);
      else
        errors.push(
          new ConfigError(
            'not-a-config',
            `not a config (${whyNotConfig(p)}), so it has no tags`,
            { file: p },
            {
              severity: 'warning',
            },
          ),
        );
      continue;
    }
    const prefix = p === '' ? '' : `${p}/`;
    const below = files.filter((f) => f.path.startsWith(prefix));
    if (below.length === 0) {
      errors.push(new ConfigError('not-found', 'no such file or folder in the config repo', { file: p }));
      continue;
    }
    const inside = below.filter((f) => isCandidate(f.path));
    for (const f of inside) selected.add(f.path);
    if (inside.length === 0)
      errors.push(
        new ConfigError('not-a-config', 'this folder holds no configs', { file: p }, { severity: 'warning' }),
      );
  }
  return selected;
}

function whyNotConfig(path: string): string {
  if (path === 'item-store.yaml') return 'it is the settings file';
  if (!isConfigPathShape(path) && /(^|\/)tags\.ya?ml$/.test(path)) return 'it is a tags file';
  if (path.split('/').some((s) => s.startsWith('.')))
    return "a folder or file name starting with '.' is ignored";
  return 'only .yaml, .yml and .json files are configs';
}

const PLAIN_REPO_PATH = /^[^/\\]+(?:\/[^/\\]+)*$/;
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;

/** `./a//b/` → `a/b`; backslashes become slashes. */
export function normalizeRepoPath(p: string): string {
  // Most paths (every path of a change manifest) are already normal: no `.`/`..` segment, no empty one, no `\`.
  if (PLAIN_REPO_PATH.test(p) && !DOT_SEGMENT.test(p)) return p;
  const n = posix
    .normalize(p.replace(/\\/g, '/'))
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

export interface AllManifestOptions {
  /** The branch the configs belong to (default: the main branch: no branch tag). */
  branch?: string;
  /** Only these configs (repo paths or folders). */
  paths?: string[];
  /** The commit the tree is at ('working-tree' for a checkout with no commit to name). */
  headSha: string;
  event: string;
  note: string;
  /** Where warnings go (errors throw). */
  logger?: Logger;
}

/**
 * "Everything", modelled once: every config of a tree (or those of `paths`) as an `all` resolved manifest, each
 * entry an upsert, as resolve-tags makes it for a first push. `itemstore deploy` without a manifest, sync-s3's
 * `full` run, migrate and the tests all use it. Errors throw ConfigErrors; warnings go to the logger.
 */
export async function allConfigsManifest(
  tree: RepoTree & { root: string },
  settings: Settings,
  options: AllManifestOptions,
): Promise<ResolvedManifest> {
  const branch = options.branch ?? settings.mainBranch;
  const { configs, errors } = await resolveTree(tree, settings, {
    branch,
    ...(options.paths ? { paths: options.paths } : {}),
  });
  const fatal = errors.filter((e) => e.severity === 'error');
  for (const w of errors.filter((e) => e.severity === 'warning')) options.logger?.warning(w);
  if (fatal.length) throw new ConfigErrors(fatal);
  return {
    version: RESOLVED_MANIFEST_VERSION,
    mode: 'all',
    note: options.note,
    event: options.event,
    branch,
    isMainBranch: isMainBranch(settings, branch),
    baseSha: null,
    headSha: options.headSha,
    workingDirectory: '',
    repoRoot: tree.root,
    // Object.assign, not a spread with extra properties: ten times faster at 10,000 configs (sync-s3 --full).
    entries: configs.map((c) =>
      Object.assign({}, c, {
        status: 'unchanged' as const,
        reason: 'all' as const,
        side: 'head' as const,
        action: 'upsert' as const,
      }),
    ),
    errors: [],
  };
}
