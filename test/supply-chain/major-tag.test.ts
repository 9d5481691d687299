/**
 * The release workflow's major-tag step (scripts/release/move-major-tag.mjs) against a real bare remote (file://),
 * with a stand-in for `gh attestation verify` (GitHub's attestation API cannot run here): v1 follows final
 * releases only, only forward, in one atomic push, and never after an attestation fails; version tags never move.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/run-bundle.js';

const script = join(repoRoot, 'scripts', 'release', 'move-major-tag.mjs');
const temp = mkdtempSync(join(tmpdir(), 'itemstore-major-'));
const remote = join(temp, 'remote.git');
const work = join(temp, 'work');
const assets = join(temp, 'assets');
const gh = join(temp, 'gh');
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const env = {
  ...process.env,
  NODE_OPTIONS: '',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  ITEMSTORE_GH: gh,
};
const git = (...args: string[]): string =>
  execFileSync('git', ['-C', work, ...args], { env, encoding: 'utf8' }).trim();
const remoteTag = (name: string): string =>
  execFileSync('git', ['-C', remote, 'rev-parse', '--verify', '--quiet', `refs/tags/${name}^{commit}`], {
    env,
    encoding: 'utf8',
  }).trim();

function release(tag: string, target: string) {
  git('tag', '-a', tag, target, '-m', tag);
  git('push', '-q', 'origin', `refs/tags/${tag}`);
  const r = spawnSync(
    process.execPath,
    [
      script,
      '--tag',
      tag,
      '--assets',
      assets,
      '--repository',
      'example-org/itemstore-actions',
      '--repo',
      work,
    ],
    { env, encoding: 'utf8' },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

let c1 = '';
let c2 = '';
beforeAll(() => {
  execFileSync('git', ['init', '-q', '--bare', remote], { env });
  execFileSync('git', ['init', '-q', '--initial-branch=main', work], { env });
  git('remote', 'add', 'origin', remote);
  writeFileSync(join(work, 'a'), '1\n');
  git('add', 'a');
  git('commit', '-q', '-m', 'one');
  c1 = git('rev-parse', 'HEAD');
  writeFileSync(join(work, 'a'), '2\n');
  git('commit', '-q', '-am', 'two');
  c2 = git('rev-parse', 'HEAD');
  git('push', '-q', 'origin', 'main');
  mkdirSync(assets);
  writeFileSync(join(assets, 'dist-cli-itemstore.js'), 'console.log(1)\n');
  writeFileSync(join(assets, 'SHA256SUMS'), 'x  dist/cli/itemstore.js\n');
  // The stand-in for `gh attestation verify FILE --repo R --signer-workflow W`: a file holding TAMPERED has none.
  writeFileSync(
    gh,
    [
      '#!/bin/sh',
      '[ "$1 $2" = "attestation verify" ] || exit 2',
      'echo "$*" >> "$(dirname "$0")/gh.log"',
      'if grep -q TAMPERED "$3"; then echo "no matching attestations found" >&2; exit 1; fi',
      'exit 0',
    ].join('\n') + '\n',
  );
  chmodSync(gh, 0o755);
});

describe('release: the major tag', () => {
  it('a final release creates v1 at its commit after verifying every asset', () => {
    const r = release('v1.0.0', c1);
    expect(r.status).toBe(0);
    expect(r.out).toContain('2 assets of v1.0.0 verified');
    expect(remoteTag('v1')).toBe(c1);
  });

  it('a pre-release leaves v1 alone', () => {
    const r = release('v1.1.0-rc.1', c2);
    expect(r.status).toBe(0);
    expect(r.out).toContain('is a pre-release: v1 is not moved');
    expect(remoteTag('v1')).toBe(c1);
  });

  it('a release whose asset fails its attestation is refused and v1 does not move', () => {
    writeFileSync(join(assets, 'dist-cli-itemstore.js'), 'TAMPERED\n');
    const r = release('v1.1.0', c2);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(
      /Not moving v1: dist-cli-itemstore\.js of v1\.1\.0 has no valid build-provenance attestation/,
    );
    expect(remoteTag('v1')).toBe(c1);
    writeFileSync(join(assets, 'dist-cli-itemstore.js'), 'console.log(1)\n');
  });

  it('the next final release moves v1 forward; a late patch of an older line does not move it back', () => {
    const r = release('v1.1.1', c2);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/v1 moved to v1\.1\.1/);
    expect(remoteTag('v1')).toBe(c2);
    const late = release('v1.0.1', c1);
    expect(late.status).toBe(0);
    expect(late.out).toContain('v1 stays where it is: v1.1.1 is newer than v1.0.1');
    expect(remoteTag('v1')).toBe(c2);
  });

  it('a rollback is a new release on the old commit: v1 follows it, the version tags stay', () => {
    const r = release('v1.1.2', c1);
    expect(r.status).toBe(0);
    expect(remoteTag('v1')).toBe(c1);
    expect(remoteTag('v1.1.1')).toBe(c2);
    expect(remoteTag('v1.0.0')).toBe(c1);
  });

  it('a concurrent move of v1 is refused by the lease (the push is atomic)', () => {
    // The script pushes with the value of v1 it read; when v1 moved meanwhile (here: it is at c1, the lease says
    // c2), git refuses the push and nothing changes.
    const stale = spawnSync(
      'git',
      [
        '-C',
        work,
        'push',
        '--atomic',
        `--force-with-lease=refs/tags/v1:${c2}`,
        'origin',
        `${c2}:refs/tags/v1`,
      ],
      { env, encoding: 'utf8' },
    );
    expect(stale.status).not.toBe(0);
    expect(stale.stderr).toMatch(/stale info/);
    expect(remoteTag('v1')).toBe(c1);
  });
});
