#!/usr/bin/env node
// Generates the synthetic config repo the benchmarks run on (see bench/README.md):
//
//   node bench/generate.mjs --out DIR [--configs 10000] [--seed 1] [--teams 20] [--many 1000] [--pack]
//
// Prints one JSON line: the three commit SHAs (base, oneFile, thousandFiles), file count, bytes and seconds.
// Importable too: `import { generateRepo } from './generate.mjs'` (the implementation is bench/lib/synthetic-repo.mjs).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { generateRepo } from './lib/synthetic-repo.mjs';

export { generateRepo, renderConfig, planRepo, TEAM_CATALOG } from './lib/synthetic-repo.mjs';

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      configs: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      teams: { type: 'string', default: '20' },
      many: { type: 'string' },
      pack: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.out) {
    process.stderr.write(
      'usage: node bench/generate.mjs --out DIR [--configs N] [--seed S] [--teams T] [--many K] [--pack]\n',
    );
    return values.help ? 0 : 2;
  }
  const repo = await generateRepo({
    dir: resolve(values.out),
    configs: Number(values.configs),
    seed: Number(values.seed),
    teams: Number(values.teams),
    ...(values.many === undefined ? {} : { manyChanges: Number(values.many) }),
    pack: values.pack,
  });
  const summary = {
    dir: repo.dir,
    base: repo.base,
    oneFile: repo.oneFile,
    thousandFiles: repo.thousandFiles,
    configs: repo.configs.length,
    teams: repo.teams.length,
    totalBytes: repo.totalBytes,
    oneFilePath: repo.oneFilePath,
    changedInThousandFiles: repo.thousandFilePaths.length,
    seconds: Math.round(repo.seconds * 100) / 100,
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`generate: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
