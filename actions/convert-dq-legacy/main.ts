import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import {
  core,
  getChoiceInput,
  getInput,
  getListInput,
  runAction,
  setOutputs,
  writeSummary,
  inRepoFolder,
} from '@itemstore/action-kit';
import { Summary, UsageError, codeCell, configRootOf, readResolvedManifest } from '@itemstore/core';

export function run(): Promise<void> {
  return runAction('convert-dq-legacy', main);
}

async function main(): Promise<void> {
  const files = getListInput('files');
  const manifestPath = getInput('manifest');
  if (Boolean(files.length) === Boolean(manifestPath)) {
    throw new UsageError('Give either the "files" input or the "manifest" input, not both and not neither.');
  }
  const direction = getChoiceInput('direction', ['to-legacy', 'from-legacy'] as const, 'to-legacy');
  if (manifestPath && direction !== 'to-legacy') {
    throw new UsageError(
      'With "manifest", direction must be to-legacy (the repo holds config_list documents).',
    );
  }
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const outputDir = resolve(
    workspace,
    getInput('output-dir') || join(process.env.RUNNER_TEMP || tmpdir(), `dq-${direction}`),
  );

  const manifest = manifestPath ? await readResolvedManifest(resolve(workspace, manifestPath)) : undefined;
  // The config reader and the converter load once the inputs are read: a step that fails on them does not pay.
  const [{ FsTree, loadSettings }, { convertLegacyFiles, legacyPathsOf }] = await Promise.all([
    import('@itemstore/config'),
    import('@itemstore/s3'),
  ]);
  const root = manifest ? configRootOf(manifest) : resolve(workspace, getInput('working-directory') || '.');
  const folder = manifest ? manifest.workingDirectory : getInput('working-directory') || '.';
  const tree = new FsTree(root);
  // The size limit of item-store.yaml, when the folder is a config repo.
  const maxBytes = manifest ? (await loadSettings(tree)).maxConfigBytes : undefined;
  const paths = manifest ? legacyPathsOf(manifest) : files;

  await mkdir(outputDir, { recursive: true });
  const converted = await convertLegacyFiles({
    tree,
    root,
    paths,
    direction,
    outputDir,
    ...(maxBytes === undefined ? {} : { maxBytes }),
  }).catch((err: unknown) => {
    throw inRepoFolder(err, folder);
  });
  setOutputs({ 'output-dir': outputDir, converted: converted.length });
  const summary = new Summary().heading(`DQ ${direction}: ${converted.length} file(s)`);
  if (converted.length) {
    summary.table(
      ['config', 'written', 'bytes'],
      converted.map((c) => [codeCell(c.path), codeCell(c.output), c.bytes]),
      { limit: 200 },
    );
  } else {
    summary.paragraph('No config in this run is stored in the legacy format.');
  }
  await writeSummary(summary);
  core.info(`Converted ${converted.length} file(s) ${direction} into ${outputDir}.`);
}
