import picomatch from 'picomatch';
import { UsageError, type PathKind } from '@itemstore/core';
import { pathKind } from '@itemstore/config';

/**
 * Which paths the manifest may list: a path must be a config, tags or settings file by shape (SPEC §2), match
 * `paths` and not match `exclude`. Both lists are read in order and the last matching pattern wins, so `!pattern`
 * takes a path back out of `paths` (or back into the manifest from `exclude`), as in .gitignore.
 */
export interface PathFilterOptions {
  /** Default: every path (`**`): the classification alone decides. */
  paths?: readonly string[];
  exclude?: readonly string[];
}

export const DEFAULT_PATHS: readonly string[] = ['**'];

interface Rule {
  negated: boolean;
  match: (path: string) => boolean;
  pattern: string;
}

export class PathFilter {
  private readonly include: Rule[];
  private readonly exclude: Rule[];

  constructor(options: PathFilterOptions = {}) {
    let paths = options.paths?.length ? options.paths : DEFAULT_PATHS;
    // Only negations (`!legacy/**`) mean "everything but these".
    if (paths.every((p) => p.startsWith('!'))) paths = [...DEFAULT_PATHS, ...paths];
    this.include = compile(paths, 'paths');
    this.exclude = compile(options.exclude ?? [], 'exclude');
  }

  /** The kind of the path when the manifest may list it, else undefined. */
  kindOf(path: string): PathKind | undefined {
    const kind = pathKind(path);
    if (!kind) return undefined;
    return this.accepts(path) ? kind : undefined;
  }

  /** The glob part alone (no classification). */
  accepts(path: string): boolean {
    return lastMatch(this.include, path) && !lastMatch(this.exclude, path);
  }
}

// `flags: 's'`: without it `**` stops at a newline, and file names may contain newlines.
function compile(patterns: readonly string[], input: string): Rule[] {
  return patterns.map((raw) => {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!pattern) throw new UsageError(`Input "${input}" has an empty pattern "${raw}".`);
    if (pattern.startsWith('/')) {
      throw new UsageError(
        `Input "${input}" pattern "${raw}" starts with "/": patterns are relative to the working directory, write "${negated ? '!' : ''}${pattern.replace(/^\/+/, '')}".`,
      );
    }
    return { negated, pattern, match: pattern === '**' ? matchesAnything : picomatch(pattern, GLOB) };
  });
}

const GLOB = { dot: true, flags: 's' };

/**
 * What picomatch's `**` (with GLOB) matches, without compiling it: any path but the empty one and one with a `.` or
 * `..` segment (git lists neither). The default `paths` is `**`: a run without patterns does not load picomatch
 * (the bundle loads it on first use, scripts/build.mjs). The test compares the two on odd names.
 */
export function matchesAnything(path: string): boolean {
  return path !== '' && !/(?:^|\/)\.{1,2}(?:\/|$)/.test(path);
}

/** Ordered evaluation: the last pattern that matches decides (`!` = no). */
function lastMatch(rules: readonly Rule[], path: string): boolean {
  let result = false;
  for (const r of rules) if (r.match(path)) result = !r.negated;
  return result;
}
