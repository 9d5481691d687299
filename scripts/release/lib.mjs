// Shared pieces of the release scripts (build-and-compare.mjs, move-major-tag.mjs): tag names, the CHANGELOG
// section of a version, file digests, git.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The npm name of the CLI tarball attached to every release. Scoped, so that `npx itemstore` in a config repo
 * that installed the tarball runs that tarball's CLI, and nothing ever asks the public registry for an unscoped
 * `itemstore` (a name anyone can own). Installed from the release URL, the scope is never looked up either.
 */
export const CLI_PACKAGE_NAME = '@example-org/itemstore';

export class ReleaseError extends Error {}

/** `v1.2.3` (final) or `v1.2.3-rc.4` (pre-release); anything else is refused. */
export function parseTag(tag) {
  const m = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-rc\.(0|[1-9]\d*))?$/.exec(tag ?? '');
  if (!m) {
    throw new ReleaseError(
      `"${tag}" is not a release tag: use vX.Y.Z for a release or vX.Y.Z-rc.N for a pre-release (e.g. v1.0.0, v1.1.0-rc.1).`,
    );
  }
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number);
  const rc = m[4] === undefined ? undefined : Number(m[4]);
  return {
    tag,
    version: tag.slice(1),
    base: `${major}.${minor}.${patch}`,
    major,
    minor,
    patch,
    rc,
    prerelease: rc !== undefined,
    majorTag: `v${major}`,
  };
}

/** Orders parsed tags like SemVer: 1.0.0-rc.1 < 1.0.0-rc.2 < 1.0.0 < 1.0.1. */
export function compareTags(a, b) {
  for (const k of ['major', 'minor', 'patch']) if (a[k] !== b[k]) return a[k] - b[k];
  if (a.rc === b.rc) return 0;
  if (a.rc === undefined) return 1;
  if (b.rc === undefined) return -1;
  return a.rc - b.rc;
}

/**
 * The release notes of a version: its `## [X.Y.Z]` (or `## X.Y.Z`) section of CHANGELOG.md. A pre-release of
 * X.Y.Z uses that section when it is there, else the `Unreleased` one (what the rc is a preview of).
 */
export function releaseNotes(changelog, parsed) {
  const sections = new Map();
  let current;
  for (const line of changelog.split('\n')) {
    const h = /^## \[?([^\]\s]+)\]?(?:\s|$)/.exec(line);
    if (h) {
      current = h[1].toLowerCase();
      sections.set(current, []);
    } else if (/^# /.test(line)) current = undefined;
    else if (current) sections.get(current).push(line);
  }
  const text = (key) => {
    const lines = sections.get(key);
    return lines ? lines.join('\n').trim() : '';
  };
  const own = text(parsed.base);
  if (own) return own;
  if (parsed.prerelease && text('unreleased')) return text('unreleased');
  throw new ReleaseError(
    `CHANGELOG.md has no "## [${parsed.base}]" section with notes: write what this release changes for users first.`,
  );
}

/** Every file under `dir`, relative paths with `/`, sorted. */
export function listFiles(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listFiles(p, base, out);
    else
      out.push(
        p
          .slice(base.length + 1)
          .split('\\')
          .join('/'),
      );
  }
  return out;
}

export function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** sha256 of every file under `dir`, by relative path. */
export function digests(dir) {
  return new Map(listFiles(dir).map((f) => [f, sha256(join(dir, f))]));
}

export function git(cwd, args, options = {}) {
  try {
    return execFileSync('git', ['-C', cwd, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 30,
      ...options,
    });
  } catch (err) {
    const detail = String(err.stderr ?? '').trim() || err.message;
    throw new ReleaseError(`git ${args.join(' ')} failed: ${detail}`);
  }
}
