/**
 * From git's raw changes to manifest entries: only paths inside the working directory that the filter accepts,
 * submodules dropped, renames and copies kept as pairs when both sides count (else a delete or an add), and a
 * changed tags.yaml or item-store.yaml widened to the configs it affects. Pure: git's output comes in as data.
 */
import type { ChangeEntry, ChangeStatus } from '@itemstore/core';
import { tagsScope } from '@itemstore/config';
import type { RawChange } from './diff.js';
import type { PathFilter } from './filter.js';
import { compare } from './git-tree.js';
import { MODE_SUBMODULE, MODE_SYMLINK } from './ls-tree.js';

/** A blob at head: path relative to the top of the work tree and its git mode. */
export interface HeadFile {
  path: string;
  mode: string;
}

export interface EntriesInput {
  changes: readonly RawChange[];
  /** The config repo's root below the top of the work tree: '' or `sub/dir` (no slashes around). */
  workingDirectory: string;
  filter: PathFilter;
  /** Every file at head; called only when a tags or settings file changed. */
  headFiles: () => Promise<readonly HeadFile[]>;
}

interface Side {
  path: string;
  kind: ChangeEntry['kind'];
  symlink: boolean;
}

export async function buildEntries(input: EntriesInput): Promise<ChangeEntry[]> {
  const { filter, workingDirectory } = input;
  const side = (path: string, mode: string): Side | undefined => {
    if (mode === MODE_SUBMODULE || /^0+$/.test(mode)) return undefined;
    const rel = relative(path, workingDirectory);
    const kind = rel === undefined ? undefined : filter.kindOf(rel);
    return kind && rel !== undefined ? { path: rel, kind, symlink: mode === MODE_SYMLINK } : undefined;
  };
  const entries = new Map<string, ChangeEntry>();
  const add = (s: Side, status: ChangeStatus, previousPath?: string): void => {
    entries.set(s.path, {
      path: s.path,
      status,
      ...(previousPath === undefined ? {} : { previousPath }),
      reason: 'changed',
      kind: s.kind,
      ...(s.symlink ? { symlink: true } : {}),
    });
  };

  for (const c of input.changes) {
    const src = side(c.srcPath, c.srcMode);
    // A modified file is the same path and mode on both sides (side() is pure): classified once.
    const dst = c.dstPath === c.srcPath && c.dstMode === c.srcMode ? src : side(c.dstPath, c.dstMode);
    switch (c.status) {
      case 'A':
        if (dst) add(dst, 'added');
        break;
      case 'D':
        if (src) add(src, 'deleted');
        break;
      case 'R':
      case 'C': {
        const pairStatus = c.status === 'R' ? 'renamed' : 'copied';
        if (src && dst && src.kind === dst.kind) add(dst, pairStatus, src.path);
        else {
          // One side does not count (moved out of the filter, the working directory, or to another kind): a
          // rename is then a delete plus an add; a copy's source did not change at all.
          if (src && c.status === 'R') add(src, 'deleted');
          if (dst) add(dst, 'added');
        }
        break;
      }
      case 'T':
      case 'M':
      default: {
        // A submodule on either side counts as absent, so file → submodule is a delete.
        const status: ChangeStatus = c.status === 'T' ? 'type-changed' : 'modified';
        if (src && dst && src.kind === dst.kind) add(dst, status);
        else {
          if (src) add(src, 'deleted');
          if (dst) add(dst, 'added');
        }
      }
    }
  }

  const changed = [...entries.values()];
  const settingsChanged = changed.some((e) => e.kind === 'settings');
  const scopes = new Set<string>();
  for (const e of changed) {
    if (e.kind !== 'tags') continue;
    scopes.add(tagsScope(e.path));
    if (e.previousPath !== undefined) scopes.add(tagsScope(e.previousPath));
  }
  if (settingsChanged || scopes.size) {
    const under = [...scopes];
    for (const f of await input.headFiles()) {
      const s = side(f.path, f.mode);
      if (!s || s.kind !== 'config' || entries.has(s.path)) continue;
      const inScope = settingsChanged || under.some((scope) => s.path.startsWith(scope));
      if (!inScope) continue;
      entries.set(s.path, {
        path: s.path,
        status: 'unchanged',
        reason: settingsChanged ? 'settings-changed' : 'tags-changed',
        kind: 'config',
        ...(s.symlink ? { symlink: true } : {}),
      });
    }
  }
  return [...entries.values()].sort((a, b) => compare(a.path, b.path));
}

/** "Everything" mode: every config at head that the filter accepts. */
export function allConfigs(
  files: readonly HeadFile[],
  workingDirectory: string,
  filter: PathFilter,
): ChangeEntry[] {
  const entries: ChangeEntry[] = [];
  for (const f of files) {
    if (f.mode === MODE_SUBMODULE) continue;
    const rel = relative(f.path, workingDirectory);
    if (rel === undefined || filter.kindOf(rel) !== 'config') continue;
    entries.push({
      path: rel,
      status: 'unchanged',
      reason: 'all',
      kind: 'config',
      ...(f.mode === MODE_SYMLINK ? { symlink: true } : {}),
    });
  }
  return entries.sort((a, b) => compare(a.path, b.path));
}

/** `path` relative to the working directory, or undefined when it lies outside. */
export function relative(path: string, workingDirectory: string): string | undefined {
  if (!workingDirectory) return path;
  return path.startsWith(`${workingDirectory}/`) ? path.slice(workingDirectory.length + 1) : undefined;
}
