// The release workflow's last step, for final releases only: moves the major tag (v1 for v1.4.2) to the release's
// commit, so `uses: …@v1` users get it, in one atomic push, and only after every published asset's build-provenance
// attestation verifies (`gh attestation verify`, signed by this repository's release workflow).
// - A pre-release (vX.Y.Z-rc.N) never moves the major tag.
// - The major tag only moves forward: when a newer final release of the same major exists (a late patch of an
//   older line), it stays where it is. A rollback is a new release (say v1.4.3) tagged on the old commit; version
//   tags themselves are never moved.
// - The push is `git push --atomic --force-with-lease=refs/tags/vN:<what we saw>`: a concurrent move is refused.
// Usage: node scripts/release/move-major-tag.mjs --tag vX.Y.Z --assets DIR --repository OWNER/REPO [--remote origin]
// The `gh` command is $ITEMSTORE_GH when set (the tests use a stand-in for GitHub's attestation API).
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ReleaseError, compareTags, git, listFiles, parseTag } from './lib.mjs';

/** refs/tags/* of the remote: name → { object, commit } (commit = peeled for annotated tags). */
function remoteTags(repo, remote) {
  const tags = new Map();
  for (const line of git(repo, ['ls-remote', '--tags', remote]).split('\n')) {
    const m = /^([0-9a-f]{40,64})\trefs\/tags\/(.+?)(\^\{\})?$/.exec(line);
    if (!m) continue;
    const t = tags.get(m[2]) ?? {};
    if (m[3]) t.commit = m[1];
    else {
      t.object = m[1];
      t.commit ??= m[1];
    }
    tags.set(m[2], t);
  }
  return tags;
}

export function moveMajorTag({
  tag,
  assets,
  repository,
  repo = process.cwd(),
  remote = 'origin',
  log = () => {},
}) {
  const parsed = parseTag(tag);
  if (parsed.prerelease) {
    log(`${tag} is a pre-release: ${parsed.majorTag} is not moved.`);
    return { moved: false, reason: 'pre-release' };
  }
  const tags = remoteTags(repo, remote);
  const own = tags.get(tag);
  if (!own) throw new ReleaseError(`${remote} has no tag ${tag}; push it before moving ${parsed.majorTag}.`);
  const newest = [...tags.keys()]
    .map((t) => {
      try {
        return parseTag(t);
      } catch {
        return undefined;
      }
    })
    .filter((t) => t && !t.prerelease && t.major === parsed.major)
    .sort(compareTags)
    .at(-1);
  if (newest && compareTags(newest, parsed) > 0) {
    log(`${parsed.majorTag} stays where it is: ${newest.tag} is newer than ${tag}.`);
    return { moved: false, reason: `newer ${newest.tag}` };
  }

  const gh = process.env.ITEMSTORE_GH || 'gh';
  const files = listFiles(assets);
  if (!files.length) throw new ReleaseError(`No release assets in ${assets} to verify.`);
  for (const f of files) {
    try {
      execFileSync(
        gh,
        [
          'attestation',
          'verify',
          join(assets, f),
          '--repo',
          repository,
          '--signer-workflow',
          `${repository}/.github/workflows/release.yml`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (err) {
      const why = String(err.stderr ?? err.message)
        .trim()
        .split('\n')[0];
      throw new ReleaseError(
        `Not moving ${parsed.majorTag}: ${f} of ${tag} has no valid build-provenance attestation from this ` +
          `repository's release workflow (${why}). Do not use this release; tag a new one from a clean build.`,
      );
    }
  }
  log(`${files.length} assets of ${tag} verified against their attestations`);

  const previous = tags.get(parsed.majorTag);
  if (previous?.commit === own.commit) {
    log(`${parsed.majorTag} already points at ${tag} (${own.commit.slice(0, 12)}).`);
    return { moved: false, reason: 'already there', commit: own.commit };
  }
  git(repo, [
    'push',
    '--atomic',
    '--no-verify',
    `--force-with-lease=refs/tags/${parsed.majorTag}:${previous?.object ?? ''}`,
    remote,
    `${own.commit}:refs/tags/${parsed.majorTag}`,
  ]);
  log(
    `${parsed.majorTag} moved to ${tag} (${own.commit.slice(0, 12)})${previous ? `, was ${previous.commit.slice(0, 12)}` : ''}.`,
  );
  return { moved: true, commit: own.commit, previous: previous?.commit };
}

function main() {
  const { values } = parseArgs({
    options: {
      tag: { type: 'string' },
      assets: { type: 'string' },
      repository: { type: 'string' },
      remote: { type: 'string', default: 'origin' },
      repo: { type: 'string', default: '.' },
    },
  });
  if (!values.tag || !values.assets || !values.repository) {
    console.error(
      'Usage: node scripts/release/move-major-tag.mjs --tag vX.Y.Z --assets DIR --repository OWNER/REPO [--remote origin]',
    );
    process.exit(2);
  }
  try {
    moveMajorTag({
      tag: values.tag,
      assets: resolve(values.assets),
      repository: values.repository,
      repo: resolve(values.repo),
      remote: values.remote,
      log: (m) => console.log(m),
    });
  } catch (err) {
    if (err instanceof ReleaseError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
