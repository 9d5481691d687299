/**
 * What a path in the config repo is (SPEC §2): the settings file, a tags file, a config of a team, ignored, or a
 * config in the wrong place. Pure string rules; nothing here reads files.
 */
import { ConfigError, type PathKind } from '@itemstore/core';
import { SETTINGS_FILE, type Settings } from './settings.js';

export type FileClass =
  | { kind: 'config'; team: string }
  | { kind: 'tags' }
  | { kind: 'settings' }
  | { kind: 'ignored' }
  | { kind: 'error'; error: ConfigError };

export const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;
export const TAGS_FILE_NAMES = ['tags.yaml', 'tags.yml'] as const;
/** The folder right below a team folder whose configs also go to S3. */
export const DEFAULT_FOLDER = 'default';

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Adds to `folders` every folder above `path` (`a/b/c.yaml` → `a`, `a/b`; the root is not a folder here). */
export function addFoldersAbove(folders: Set<string>, path: string): void {
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) folders.add(path.slice(0, i));
}

/** The implicit `name` tag: the file name without its extension, case kept (`orders_SC.yaml` → `orders_SC`). */
export function configName(path: string): string {
  // nameOfBase(baseName(path)) in one slice (called for every config of a namespace).
  const start = path.lastIndexOf('/') + 1;
  const dot = path.lastIndexOf('.');
  return path.slice(start, dot > start ? dot : path.length);
}

/** configName of a path whose file name (baseName) is `base`. */
export function nameOfBase(base: string): string {
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export function isTagsFile(path: string): boolean {
  // TAGS_FILE_NAMES as the whole file name, without slicing it out (called for every path of a listing).
  for (const name of TAGS_FILE_NAMES) {
    if (path.endsWith(name) && (path.length === name.length || path[path.length - name.length - 1] === '/'))
      return true;
  }
  return false;
}

/** True when some segment of the path starts with '.' (`.github/x.yaml`, `team/.drafts/x.yaml`): never a config. */
export function hasDotSegment(path: string): boolean {
  // A segment starts with '.' when the path does or a '/' is followed by one (no split: called for every path).
  return path.startsWith('.') || path.includes('/.');
}

function hasConfigExtension(path: string): boolean {
  for (const ext of CONFIG_EXTENSIONS) if (path.endsWith(ext)) return true;
  return false;
}

/**
 * SPEC §2's path rules without the settings: a `.yaml`/`.yml`/`.json` file (lower-case extension), not a tags
 * file, no segment starting with '.', and not item-store.yaml at the root. Says nothing about which folder it is in.
 */
export function isConfigPathShape(path: string): boolean {
  return path !== SETTINGS_FILE && !hasDotSegment(path) && !isTagsFile(path) && hasConfigExtension(path);
}

/**
 * What a path is from its shape alone, without item-store.yaml (the change detector decides before any settings are
 * parsed, and when item-store.yaml itself is broken): the settings file, a tags file, a config-shaped file (in any
 * folder: which team it belongs to is classifyPath's question), or nothing of the store (also a path with an empty
 * segment, which is no repo path).
 */
export function pathKind(path: string): PathKind | undefined {
  if (path === SETTINGS_FILE) return 'settings';
  if (hasDotSegment(path) || path.split('/').includes('')) return undefined;
  if (isTagsFile(path)) return 'tags';
  return hasConfigExtension(path) ? 'config' : undefined;
}

/** The folder a tags file applies to ('' for the root), with a trailing slash unless it is the root. */
export function tagsScope(tagsPath: string): string {
  const dir = dirName(tagsPath);
  return dir ? `${dir}/` : '';
}

/**
 * Classifies a repo path. A config-shaped file at the root is `outside-team`; one below a top-level folder that is
 * not listed under `teams` is `unknown-team` (team names are case-sensitive, like git paths).
 */
export function classifyPath(settings: Settings, path: string): FileClass {
  if (path === SETTINGS_FILE) return { kind: 'settings' };
  if (hasDotSegment(path)) return { kind: 'ignored' };
  if (isTagsFile(path)) return { kind: 'tags' };
  if (!hasConfigExtension(path)) return { kind: 'ignored' };
  const slash = path.indexOf('/');
  if (slash < 0) {
    return {
      kind: 'error',
      error: new ConfigError(
        'outside-team',
        `a config outside any team folder; configs live in <team>/ folders listed under teams in ${SETTINGS_FILE}`,
        { file: path },
      ),
    };
  }
  const team = path.slice(0, slash);
  if (!Object.hasOwn(settings.teams, team)) {
    const teams = Object.keys(settings.teams);
    const sameButCase = teams.find((t) => t.toLowerCase() === team.toLowerCase());
    return {
      kind: 'error',
      error: new ConfigError(
        'unknown-team',
        `${team}/ is not a team folder: ` +
          (sameButCase
            ? `team folders are case-sensitive and the team is "${sameButCase}"`
            : `add "${team}" under teams in ${SETTINGS_FILE} or move the file into a team folder (${teams.join(', ')})`),
        { file: path },
      ),
    };
  }
  return { kind: 'config', team };
}

/** `<team>/default/<rest>` → `<rest>`, else undefined (only the folder right below the team counts). */
export function pathBelowDefault(path: string): string | undefined {
  const parts = path.split('/');
  if (parts.length >= 3 && parts[1] === DEFAULT_FOLDER) return parts.slice(2).join('/');
  return undefined;
}
