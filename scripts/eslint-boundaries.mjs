// ESLint's share of the package boundaries (test/boundaries/dependencies.test.ts checks the other direction: every
// declared dependency is used). Generated from each workspace package's package.json: a file in packages/<p>/src
// may import only what <p> declares under "dependencies" (besides node: built-ins and its own files); every other
// workspace package and every npm package some other workspace declares is a `no-restricted-imports` error there,
// and so is a relative path into another package's src/. The private test harness (workflow-runner, demo) is thus
// out of reach of every product package, which declares neither.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function packageBoundaries() {
  const dir = join(root, 'packages');
  const packages = readdirSync(dir)
    .filter((p) => existsSync(join(dir, p, 'package.json')) && existsSync(join(dir, p, 'src')))
    .map((p) => {
      const manifest = JSON.parse(readFileSync(join(dir, p, 'package.json'), 'utf8'));
      return { folder: p, name: manifest.name, deps: new Set(Object.keys(manifest.dependencies ?? {})) };
    });
  const everything = new Set(packages.flatMap((p) => [p.name, ...p.deps]));
  return packages.map((p) => {
    const forbidden = [...everything].filter((d) => d !== p.name && !p.deps.has(d)).sort();
    return {
      files: [`packages/${p.folder}/src/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: forbidden.flatMap((d) => [d, `${d}/*`]),
                message: `${p.name} does not declare this package: add it to packages/${p.folder}/package.json (if the layering allows it) or import from a package it depends on.`,
              },
              {
                regex: String.raw`^(\.\./)+(?!${p.folder}/)[^./][^/]*/src(/|$)`,
                message: `Import another package by its name (@itemstore/…), never by a path into its src/.`,
              },
            ],
          },
        ],
      },
    };
  });
}
