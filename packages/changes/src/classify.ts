/**
 * What a path in the config repo is, from its shape alone (SPEC §2), without reading item-store.yaml: the change
 * detector must decide before any settings are parsed (and when item-store.yaml itself is broken).
 */
export type PathKind = 'config' | 'tags' | 'settings';

export const SETTINGS_FILE = 'item-store.yaml';
const TAGS_FILES = new Set(['tags.yaml', 'tags.yml']);
const CONFIG_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** `path` is relative to the config repo root, forward slashes. */
export function classifyPath(path: string): PathKind | undefined {
  if (path === SETTINGS_FILE) return 'settings';
  const segments = path.split('/');
  // A segment starting with '.' (`.github/`, `.hidden.yaml`) is never part of the store.
  if (segments.some((s) => s.startsWith('.') || s === '')) return undefined;
  const name = segments[segments.length - 1] as string;
  if (TAGS_FILES.has(name)) return 'tags';
  if (CONFIG_EXTENSIONS.some((ext) => name.endsWith(ext) && name.length > ext.length)) return 'config';
  return undefined;
}

/** The folder a tags file applies to ('' for the root), with a trailing slash unless it is the root. */
export function tagsScope(tagsPath: string): string {
  const at = tagsPath.lastIndexOf('/');
  return at < 0 ? '' : tagsPath.slice(0, at + 1);
}
