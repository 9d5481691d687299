// The release workflow's first step, in a clean job: given a release tag checked out with its dependencies
// installed (`npm ci`), it rebuilds dist/ with the tag's own scripts/build.mjs and refuses the release when any
// file differs from the dist/ committed at the tag (missing, extra or different by one byte). Then it stages what
// the release publishes:
//   <out>/assets/dist-<path with - for />   every file of dist/ (what `uses: …@<sha>` runs)
//   <out>/assets/<scope>-itemstore-<version>.tgz   the CLI as an npm package (`npm pack`), scoped name
//   <out>/assets/SHA256SUMS                 sha256 and dist/ path of every dist file, and the tarball
//   <out>/notes.md                          the release notes: the version's CHANGELOG.md section
//   <out>/release.json                      tag, version, commit, prerelease, major tag
// and, on a runner, the outputs version, prerelease (true/false) and major-tag in $GITHUB_OUTPUT.
// Nothing here uses the network. Exit codes: 0 staged, 1 refused (one sentence on stderr says why).
// Usage: node scripts/release/build-and-compare.mjs --tag vX.Y.Z[-rc.N] --out DIR [--repo DIR]
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
  cpSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CLI_PACKAGE_NAME,
  ReleaseError,
  digests,
  git,
  listFiles,
  parseTag,
  releaseNotes,
  sha256,
} from './lib.mjs';

/** Compares two dist/ trees; returns one line per difference, in path order. */
export function compareDist(committed, fresh) {
  const want = digests(fresh);
  const have = digests(committed);
  const problems = [];
  for (const [f, d] of want) {
    if (!have.has(f)) problems.push(`missing in the tag's dist/: ${f}`);
    else if (have.get(f) !== d) problems.push(`differs from the build: dist/${f}`);
  }
  for (const f of have.keys()) if (!want.has(f)) problems.push(`not produced by the build: dist/${f}`);
  return problems.sort();
}

/** The CLI as an npm package: dist/cli and the chunks it loads, under the scoped name, packed by npm. */
export function packCli(distDir, version, outDir, { readme } = {}) {
  const stage = mkdtempSync(join(tmpdir(), 'itemstore-cli-pack-'));
  try {
    for (const part of ['cli', 'lib', 'package.json']) {
      if (existsSync(join(distDir, part)))
        cpSync(join(distDir, part), join(stage, 'dist', part), { recursive: true });
    }
    writeFileSync(
      join(stage, 'package.json'),
      JSON.stringify(
        {
          name: CLI_PACKAGE_NAME,
          version,
          description:
            'itemstore: the Item Store V2 deploy suite CLI (convert, resolve, plan, deploy, sync-s3, validate, promote, migrate)',
          type: 'module',
          license: 'MIT',
          engines: { node: '>=20.10' },
          bin: { itemstore: 'dist/cli/itemstore.js' },
          files: ['dist/'],
        },
        null,
        2,
      ) + '\n',
    );
    if (readme) copyFileSync(readme, join(stage, 'README.md'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
      cwd: stage,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return join(outDir, JSON.parse(out)[0].filename);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Checks the checkout at `repo` is the tag's commit with nothing changed, rebuilds dist/ and compares; stages the
 * release in `out`. Throws ReleaseError to refuse.
 */
export function buildAndCompare({ tag, repo, out, log = () => {} }) {
  const parsed = parseTag(tag);
  let commit;
  try {
    commit = git(repo, ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`]).trim();
  } catch {
    throw new ReleaseError(
      `There is no tag ${tag} in ${repo}: push the tag first (the release is built from it).`,
    );
  }
  const head = git(repo, ['rev-parse', 'HEAD']).trim();
  if (head !== commit) {
    throw new ReleaseError(
      `The checkout is at ${head.slice(0, 12)}, not at ${tag} (${commit.slice(0, 12)}): check out the tag.`,
    );
  }
  const dirty = git(repo, ['status', '--porcelain', '--untracked-files=no']).trim();
  if (dirty)
    throw new ReleaseError(
      `The checkout of ${tag} has changes to tracked files; build from a clean checkout:\n${dirty}`,
    );
  const notes = releaseNotes(git(repo, ['show', `${commit}:CHANGELOG.md`]), parsed);

  const work = mkdtempSync(join(tmpdir(), 'itemstore-release-'));
  try {
    // The committed dist/, straight from the tag's tree (not the working copy).
    const committed = join(work, 'committed');
    mkdirSync(committed);
    const tar = git(repo, ['archive', '--format=tar', commit, 'dist'], { encoding: 'buffer' });
    execFileSync('tar', ['-x', '-C', committed], { input: tar });
    const fresh = join(work, 'fresh');
    log(`building dist/ from ${tag} (${commit.slice(0, 12)}) with its scripts/build.mjs`);
    execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs'), '--outdir', fresh], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const problems = compareDist(join(committed, 'dist'), fresh);
    if (problems.length) {
      throw new ReleaseError(
        `Refusing ${tag}: its committed dist/ is not what its sources build (${problems.length} file(s)), so what ` +
          `\`uses: …@${commit.slice(0, 12)}\` runs is not what the source says:\n  ${problems.join('\n  ')}\n` +
          'Run `npm run build` on that commit, commit dist/, and tag the new commit.',
      );
    }
    log(`dist/ of ${tag} is what its sources build: ${listFiles(fresh).length} files identical`);

    rmSync(out, { recursive: true, force: true });
    const assets = join(out, 'assets');
    mkdirSync(assets, { recursive: true });
    const sums = [];
    for (const f of listFiles(fresh)) {
      copyFileSync(join(fresh, f), join(assets, `dist-${f.split('/').join('-')}`));
      sums.push(`${sha256(join(fresh, f))}  dist/${f}`);
    }
    const tarball = packCli(fresh, parsed.version, assets, { readme: join(repo, 'README.md') });
    sums.push(`${sha256(tarball)}  ${tarball.slice(assets.length + 1)}`);
    writeFileSync(join(assets, 'SHA256SUMS'), sums.join('\n') + '\n');
    writeFileSync(join(out, 'notes.md'), notes + '\n');
    const release = {
      tag,
      version: parsed.version,
      commit,
      prerelease: parsed.prerelease,
      majorTag: parsed.majorTag,
      cliTarball: tarball.slice(assets.length + 1),
      cliPackage: CLI_PACKAGE_NAME,
    };
    writeFileSync(join(out, 'release.json'), JSON.stringify(release, null, 2) + '\n');
    if (process.env.GITHUB_OUTPUT) {
      appendFileSync(
        process.env.GITHUB_OUTPUT,
        `version=${parsed.version}\nprerelease=${parsed.prerelease}\nmajor-tag=${parsed.majorTag}\ncommit=${commit}\n`,
      );
    }
    return release;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main() {
  const { values } = parseArgs({
    options: { tag: { type: 'string' }, out: { type: 'string' }, repo: { type: 'string', default: '.' } },
  });
  if (!values.tag || !values.out) {
    console.error(
      'Usage: node scripts/release/build-and-compare.mjs --tag vX.Y.Z[-rc.N] --out DIR [--repo DIR]',
    );
    process.exit(2);
  }
  try {
    const r = buildAndCompare({
      tag: values.tag,
      repo: resolve(values.repo),
      out: resolve(values.out),
      log: (m) => console.error(m),
    });
    console.log(
      `staged ${r.tag} (${r.prerelease ? 'pre-release' : 'release'}) of ${r.commit.slice(0, 12)} in ${resolve(values.out)}; CLI tarball ${r.cliTarball}`,
    );
  } catch (err) {
    if (err instanceof ReleaseError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
