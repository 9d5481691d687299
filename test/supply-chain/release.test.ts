/**
 * The release workflow's build-and-compare step (scripts/release/build-and-compare.mjs), run as the workflow runs
 * it, on local tags of a temp git repository made from a clean checkout of this one: a tag whose committed dist/
 * is what its sources build is staged (every dist file, the scoped CLI tarball, SHA256SUMS, the CHANGELOG notes);
 * a one-byte change in dist/ is refused and nothing is staged. Only the network steps (gh release, attestations,
 * the push of the major tag) are left out.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanCheckout } from '../helpers/clean-checkout.js';
import { repoRoot } from '../helpers/run-bundle.js';

const script = join(repoRoot, 'scripts', 'release', 'build-and-compare.mjs');
const temp = mkdtempSync(join(tmpdir(), 'itemstore-release-'));
const repo = join(temp, 'suite');
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const env = {
  ...process.env,
  NODE_OPTIONS: '',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'release test',
  GIT_AUTHOR_EMAIL: 'release@example.com',
  GIT_COMMITTER_NAME: 'release test',
  GIT_COMMITTER_EMAIL: 'release@example.com',
};
const git = (...args: string[]): string =>
  execFileSync('git', ['-C', repo, ...args], { env, encoding: 'utf8' });

function release(tag: string, out: string, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [script, '--tag', tag, '--repo', repo, '--out', out], {
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CHANGELOG = `# Changelog

## [Unreleased]

- a line for the next release

## [1.0.0] - 2026-11-27

### Added
- the first release
`;

beforeAll(() => {
  cleanCheckout(repo);
  execFileSync('git', ['init', '-q', '--initial-branch=main', repo], { env });
  // The linked dependencies are not part of the release commit.
  appendFileSync(join(repo, '.git', 'info', 'exclude'), 'node_modules\n');
  writeFileSync(join(repo, 'CHANGELOG.md'), CHANGELOG);
  // The committed dist/ of this clone's HEAD may predate the last build change: build it, as a release commit does.
  execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, env, stdio: 'pipe' });
  git('add', '-A');
  git('commit', '-q', '-m', 'release 1.0.0');
  git('tag', '-a', 'v1.0.0', '-m', 'v1.0.0');
}, 240_000);

describe('release: build-and-compare', () => {
  it('stages a tag whose dist/ is what its sources build: every dist file, the CLI tarball, checksums, notes', () => {
    const out = join(temp, 'out-1.0.0');
    const outputFile = join(temp, 'github_output');
    writeFileSync(outputFile, '');
    const r = release('v1.0.0', out, { GITHUB_OUTPUT: outputFile });
    expect(r.stderr).toContain('identical');
    expect(r.status).toBe(0);
    const assets = readdirSync(join(out, 'assets')).sort();
    expect(assets).toEqual(
      expect.arrayContaining([
        'SHA256SUMS',
        'dist-cli-itemstore.js',
        'dist-detect-changed-paths-index.js',
        'dist-sync-s3-index.js',
        'example-org-itemstore-1.0.0.tgz',
      ]),
    );
    expect(assets.some((a) => a.startsWith('dist-lib-'))).toBe(true);
    // SHA256SUMS names each dist/ file as it is in the repository, so a checkout can be checked with sha256sum -c.
    const sums = readFileSync(join(out, 'assets', 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n');
    for (const line of sums.filter((l) => l.includes('dist/'))) {
      const [digest, path] = line.split(/\s+/) as [string, string];
      const bytes = readFileSync(join(repo, path));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(digest);
    }
    expect(sums.length).toBe(assets.length - 1);
    expect(readFileSync(join(out, 'notes.md'), 'utf8')).toBe('### Added\n- the first release\n');
    const info = JSON.parse(readFileSync(join(out, 'release.json'), 'utf8'));
    expect(info).toMatchObject({ tag: 'v1.0.0', version: '1.0.0', prerelease: false, majorTag: 'v1' });
    expect(info.commit).toBe(git('rev-parse', 'v1.0.0^{commit}').trim());
    expect(readFileSync(outputFile, 'utf8')).toContain('prerelease=false\nmajor-tag=v1\n');

    // The tarball is the scoped CLI package; its CLI runs from the unpacked files alone.
    const unpacked = join(temp, 'unpacked');
    execFileSync('mkdir', ['-p', unpacked]);
    execFileSync('tar', ['-xzf', join(out, 'assets', 'example-org-itemstore-1.0.0.tgz'), '-C', unpacked]);
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@example-org/itemstore',
      version: '1.0.0',
      bin: { itemstore: 'dist/cli/itemstore.js' },
    });
    const help = spawnSync(
      process.execPath,
      [join(unpacked, 'package', 'dist', 'cli', 'itemstore.js'), '--help'],
      {
        cwd: temp,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: itemstore');
  }, 240_000);

  it('refuses a tag whose dist/ differs from the build by one byte, naming the file, and stages nothing', () => {
    const target = join(repo, 'dist', 'detect-changed-paths', 'index.js');
    const bytes = readFileSync(target);
    bytes[bytes.length - 2] = bytes[bytes.length - 2] === 0x41 ? 0x42 : 0x41;
    writeFileSync(target, bytes);
    writeFileSync(
      join(repo, 'CHANGELOG.md'),
      CHANGELOG.replace('## [1.0.0]', '## [1.0.1] - 2026-11-28\n\n- a fix\n\n## [1.0.0]'),
    );
    git('commit', '-q', '-am', 'one byte changed in dist/');
    git('tag', 'v1.0.1');
    const out = join(temp, 'out-1.0.1');
    const r = release('v1.0.1', out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Refusing v1.0.1');
    expect(r.stderr).toContain('differs from the build: dist/detect-changed-paths/index.js');
    expect(r.stderr.match(/differs from the build/g)).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  }, 240_000);

  it('refuses a bad tag name, a missing tag, a checkout not at the tag, and changed files', () => {
    expect(release('1.0.0', join(temp, 'x')).stderr).toMatch(/is not a release tag: use vX\.Y\.Z/);
    expect(release('v1.0.0-beta', join(temp, 'x')).stderr).toMatch(/is not a release tag/);
    expect(release('v9.9.9', join(temp, 'x')).stderr).toMatch(/There is no tag v9\.9\.9/);
    expect(release('v1.0.0', join(temp, 'x')).stderr).toMatch(/The checkout is at \w+, not at v1\.0\.0/);
    git('checkout', '-q', 'v1.0.0');
    writeFileSync(join(repo, 'README.md'), 'changed\n');
    const r = release('v1.0.0', join(temp, 'x'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has changes to tracked files/);
    git('checkout', '-q', '--', 'README.md');
  });

  it('a final release needs its CHANGELOG section; a pre-release falls back to Unreleased', () => {
    git('checkout', '-q', 'main');
    git('tag', 'v1.1.0');
    const missing = release('v1.1.0', join(temp, 'x'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/CHANGELOG\.md has no "## \[1\.1\.0\]" section/);
  });
});
