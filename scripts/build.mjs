// Builds dist/: every action (actions/<name>) and the CLI as small entry files over shared, minified chunks, so the
// runner needs no node_modules and the AWS SDK, undici and our packages are in dist/ once, not once per action
// (codeql-action's layout; esbuild code splitting):
//   dist/<action>/index.js   the entry each action.yml names (runs.main); a few hundred bytes to a few KiB
//   dist/cli/itemstore.js    the CLI (`itemstore`), dist/demo/index.js the demo harness `itemstore demo` loads
//   dist/lib/*.js            chunks shared by the entries (a chunk loads only for the entries that need it, and
//                            code behind a dynamic import() loads only when it runs)
// The entry of an action is actions/<name>/index.ts when there is one; else, when main.ts exports run(), a
// generated stub `import { run } from './main.ts'; await run();` that then ends the process as soon as the event loop
// is empty (see below); else main.ts itself.
// The output is a function of the sources and the lockfile only (no paths, times or hosts): two builds from clean
// checkouts are byte-identical (test/supply-chain/reproducible.test.ts), which is what lets the release workflow
// rebuild dist/ from the tag and refuse a release whose committed dist/ differs.
// Usage: node scripts/build.mjs [--outdir DIR]   (check-dist builds into a temp folder and compares with dist/)
import { build } from 'esbuild';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argOut = process.argv.indexOf('--outdir');
const finalDir = argOut > 0 ? resolve(process.argv[argOut + 1]) : join(root, 'dist');

const ENTRY_PREFIX = 'itemstore-action:';
// @actions/core's own modules (see the stand-ins in the sources plugin).
const CORE_LIB = /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/;
const entries = [];
const stubs = new Map();
for (const name of readdirSync(join(root, 'actions')).sort()) {
  const dir = join(root, 'actions', name);
  const index = join(dir, 'index.ts');
  const main = join(dir, 'main.ts');
  if (existsSync(index)) entries.push({ in: index, out: join(name, 'index') });
  else if (existsSync(main)) {
    if (
      /^export\s+(?:async\s+)?function\s+run\b|^export\s+(?:const|let)\s+run\b|^export\s*\{[^}]*\brun\b/m.test(
        readFileSync(main, 'utf8'),
      )
    ) {
      stubs.set(name, main);
      entries.push({ in: `${ENTRY_PREFIX}${name}`, out: join(name, 'index') });
    } else entries.push({ in: main, out: join(name, 'index') });
  }
}
entries.push({ in: join(root, 'packages/cli/src/bin.ts'), out: join('cli', 'itemstore') });
// The demo and its workflow runner are not product code: their own entry, which `itemstore demo` imports at run time.
if (existsSync(join(root, 'packages/demo/src/entry.ts')))
  entries.push({ in: join(root, 'packages/demo/src/entry.ts'), out: join('demo', 'index') });
const CLI = join('cli', 'itemstore.js');

/** The values (not types) our sources import from `module`, e.g. S3Client and the commands they send. */
function namesUsed(module) {
  const names = new Set();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ts$/.test(name)) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
          if (m[2] !== module || /^\s*type\b/.test(m[0].slice(6))) continue;
          for (const part of m[1].split(',')) {
            const n = part.trim();
            if (n && !n.startsWith('type ')) names.add(n.split(/\s+as\s+/)[0]);
          }
        }
      }
    }
  };
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    if (existsSync(join(root, 'packages', pkg, 'src'))) walk(join(root, 'packages', pkg, 'src'));
  }
  walk(join(root, 'actions'));
  return [...names].sort();
}

/**
 * Dependencies that only some steps need, and only once they use them: each is bundled once as a CommonJS file in
 * dist/lib/, and our sources get a stand-in module whose exports require() that file on first use
 * (`new S3Client(...)`, `new PutObjectCommand(...)`, `getOctokit(...)`). Reading and evaluating the AWS SDK was a
 * third of a start, Octokit with undici a quarter: not paid by convert-dq-legacy, by a step that fails on its
 * inputs, by a no-op sync or by a detect without since-last-success.
 */
const LAZY = [
  { module: '@aws-sdk/client-s3', file: 'lib/aws-sdk-s3.cjs' },
  { module: '@actions/github', file: 'lib/actions-github.cjs' },
  // Artifact zips (the plan comment); builds its Huffman tables when loaded.
  { module: 'fflate', file: 'lib/fflate.cjs' },
  // The YAML fast path (packages/convert/src/fast-yaml.ts) imports it whole (`import jsyaml from 'js-yaml'`): its
  // stand-in is an object that loads the module on the first property read. Steps that convert no YAML config
  // (detect, a step that fails on its inputs) do not load it.
  // From packages/convert, which depends on js-yaml 4 (the top-level node_modules holds jest's js-yaml 3).
  // The single-file bundles of the push path (STANDALONE below) read item-store.yaml or tags.yaml on every run: they
  // bundle it as an ordinary import instead (no second module to resolve, read and wrap through the CommonJS loader).
  {
    module: 'js-yaml',
    file: 'lib/js-yaml.cjs',
    whole: true,
    from: 'packages/convert',
    eagerInStandalone: true,
  },
  // The `yaml` library: the exact YAML path, located errors and YAML output. On a push's happy path (item-store.yaml,
  // tags.yaml and every ordinary config read by js-yaml, fast-yaml.ts) nothing calls it, and evaluating it (and
  // decoding its half of the start-up chunks) was a tenth of detect's start. Its classes get a Proxy stand-in (see
  // below), so `new Scalar(...)`, `Scalar.QUOTE_DOUBLE` and `instanceof` work as with the real ones.
  { module: 'yaml', file: 'lib/yaml.cjs' },
  // Globs of detect's `paths`/`exclude` inputs (packages/changes/src/filter.ts; the default `**` needs none) and of
  // the demo's workflow triggers. A function with properties (`picomatch(...)`, `picomatch.isMatch`): a callable
  // stand-in.
  { module: 'picomatch', file: 'lib/picomatch.cjs', whole: true, callable: true, from: 'packages/changes' },
].map((l) => ({ ...l, names: l.whole ? [] : namesUsed(l.module) }));
const lazyByModule = new Map(LAZY.map((l) => [l.module, l]));

const sources = {
  name: 'itemstore-sources',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${ENTRY_PREFIX}`) }, (args) => ({
      path: args.path.slice(ENTRY_PREFIX.length),
      namespace: 'itemstore-action',
    }));
    b.onLoad({ filter: /.*/, namespace: 'itemstore-action' }, (args) => ({
      // Once the run is over and nothing is left pending (the event loop is empty), the process ends at once with
      // the exit code the run set: at a natural end Node first tears its heap down page by page, tens of
      // milliseconds no one needs.
      contents: [
        "import { run } from './main.ts';",
        'await run();',
        "process.once('beforeExit', () => process.exit());",
        '',
      ].join('\n'),
      resolveDir: dirname(stubs.get(args.path)),
      loader: 'ts',
    }));
    // @actions/core loads, at start-up, modules that only some calls use (the suite never makes them): its OIDC
    // client (and with it @actions/http-client, undici and tunnel), for core.getIDToken(); and, through
    // `export * as platform`, @actions/exec and @actions/io (child_process, streams), for core.platform.getDetails().
    // Evaluating undici was half of an action's start. Each is replaced by a stand-in with the same exports that
    // loads the real module, from its own chunk, when one of those calls is made.
    b.onResolve({ filter: /^\.\/(?:oidc-utils|platform)\.js$/ }, (args) =>
      CORE_LIB.test(args.importer)
        ? // A path relative to the checkout: chunk hashes must not depend on where it is.
          { path: relative(root, join(args.resolveDir, args.path)), namespace: 'itemstore-lazy-core' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'itemstore-lazy-core' }, (args) => {
      const real = JSON.stringify(`./${basename(args.path)}`);
      const contents =
        basename(args.path) === 'oidc-utils.js'
          ? [
              'export class OidcClient {',
              '  static async getIDToken(audience) {',
              `    const { OidcClient: real } = await import(${real});`,
              '    return real.getIDToken(audience);',
              '  }',
              '}',
            ]
          : [
              // The constants as platform.js computes them (os is loaded by @actions/core anyway).
              "import os from 'os';",
              'export const platform = os.platform();',
              'export const arch = os.arch();',
              "export const isWindows = platform === 'win32';",
              "export const isMacOS = platform === 'darwin';",
              "export const isLinux = platform === 'linux';",
              `export async function getDetails() { return (await import(${real})).getDetails(); }`,
            ];
      return { contents: contents.join('\n'), resolveDir: join(root, dirname(args.path)), loader: 'js' };
    });
    // file-command.js needs node:crypto (and Node's streams with it) for one random delimiter when an output is
    // written: load it then, not at start-up, where a step that fails on its inputs writes no output.
    b.onLoad({ filter: /[\\/]@actions[\\/]core[\\/]lib[\\/]file-command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "import * as crypto from 'crypto';";
      if (!text.includes(eager))
        throw new Error(`${args.path}: no "${eager}" to defer (has @actions/core changed?)`);
      const lazy = [
        "import { createRequire as __itemstoreRequire } from 'module';",
        "const crypto = { randomUUID: () => __itemstoreRequire(import.meta.url)('crypto').randomUUID() };",
      ].join(' ');
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
    // See LAZY above. Only our own sources get the stand-in; inside node_modules a module stays what it is.
    b.onResolve(
      { filter: /^(?:@aws-sdk\/client-s3|@actions\/github|fflate|js-yaml|yaml|picomatch)$/ },
      (args) =>
        args.namespace === 'file' &&
        !/[\\/]node_modules[\\/]/.test(args.importer) &&
        lazyByModule.has(args.path) &&
        !(b.initialOptions.splitting === false && lazyByModule.get(args.path).eagerInStandalone)
          ? { path: args.path, namespace: 'itemstore-lazy' }
          : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'itemstore-lazy' }, (args) => {
      const lazy = lazyByModule.get(args.path);
      return {
        contents: [
          "import { createRequire } from 'node:module';",
          'let loaded;',
          // Every output file is one folder below dist/, so this path holds from an entry and from a chunk alike.
          `const load = () => (loaded ??= createRequire(import.meta.url)('../${lazy.file}'));`,
          ...(lazy.whole
            ? lazy.callable
              ? [
                  'export default new Proxy(function () {}, { get: (_, key) => load()[key], ' +
                    'apply: (_, self, args) => Reflect.apply(load(), self, args) });',
                ]
              : ['export default new Proxy({}, { get: (_, key) => load()[key] });']
            : lazy.names.map((n) =>
                lazy.module === 'yaml' && /^[A-Z]/.test(n)
                  ? // A class: constructed, called, its statics read and `instanceof` (through its prototype) as the
                    // real one, loaded on the first of these.
                    `export const ${n} = new Proxy(function ${n}() {}, { get: (_, k) => load().${n}[k], ` +
                    `construct: (_, a, t) => Reflect.construct(load().${n}, a, t === ${n} ? load().${n} : t), ` +
                    `apply: (_, self, a) => Reflect.apply(load().${n}, self, a) });`
                  : `export function ${n}(...a) { const f = load().${n}; return new.target ? new f(...a) : f(...a); }`,
              )),
        ].join('\n'),
        resolveDir: root,
        loader: 'js',
      };
    });
    // The workspace's packages from this checkout's sources (as tsconfig and jest map them), not through
    // node_modules/@itemstore symlinks, which may point at another checkout.
    // A subpath export (@itemstore/resolve/content-workers) is src/<subpath>.ts.
    b.onResolve({ filter: /^@itemstore\/[a-z0-9-]+(?:\/[a-z0-9-]+)?$/ }, (args) => {
      const [pkg, sub] = args.path.slice('@itemstore/'.length).split('/');
      const src = join(root, 'packages', pkg, 'src', `${sub ?? 'index'}.ts`);
      return existsSync(src) ? { path: src } : undefined;
    });
  },
};

// Bundles are ESM; some bundled dependencies still call require() for Node built-ins.
const banner = [
  "import { createRequire as __itemstoreCreateRequire } from 'node:module';",
  'const require = __itemstoreCreateRequire(import.meta.url);',
].join('\n');

// The push path's two steps (every push runs both, one process each) are single files: each loads one module at
// start instead of an entry and about ten shared chunks, each resolved, read, compiled and linked by the ESM loader.
// Their code is in dist/ once more (a few hundred KiB); what they load lazily (lib/*.cjs, the content worker) is
// shared as before.
const STANDALONE = new Set(['detect-changed-paths', 'resolve-tags']);
const standalone = entries.filter((e) => STANDALONE.has(dirname(e.out)));
const options = {
  outdir: finalDir,
  write: false,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  // Error classes and AWS SDK commands are told apart by name in messages and logs: keep the names.
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: banner },
  absWorkingDir: root,
  // Paths stay as they are under this folder (a node_modules that is a symlink, as in the reproducibility test,
  // is not followed elsewhere): the chunk hashes in file names depend on the modules' paths relative to it.
  preserveSymlinks: true,
  plugins: [sources],
};
const result = await build({
  ...options,
  entryPoints: entries.filter((e) => !standalone.includes(e)),
  splitting: true,
  chunkNames: 'lib/[name]-[hash]',
});
for (const e of standalone) {
  const one = await build({ ...options, entryPoints: [e], splitting: false });
  result.outputFiles.push(...one.outputFiles);
}

/** The esbuild options of every CommonJS file of dist/lib (the lazy stand-ins and the content worker). */
const CJS_FILE = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
  preserveSymlinks: true,
};

// The files the stand-ins load: the names our sources use, from the real module, as one CommonJS file each.
for (const lazy of LAZY) {
  if (!lazy.whole && !lazy.names.length) continue;
  const out = await build({
    stdin: {
      contents: lazy.whole
        ? // Imported, not required: the same build of the module (its ESM one) as a static import would bundle.
          `import m from ${JSON.stringify(lazy.module)}; module.exports = m;`
        : `export { ${lazy.names.join(', ')} } from ${JSON.stringify(lazy.module)};`,
      resolveDir: join(root, lazy.from ?? '.'),
      sourcefile: basename(lazy.file),
      loader: 'js',
    },
    outfile: join(finalDir, lazy.file),
    write: false,
    ...CJS_FILE,
  });
  result.outputFiles.push(...out.outputFiles);
}

// resolve-tags checks contents in worker threads (packages/resolve/src/content-check.ts): their script is one
// CommonJS file with everything the check needs, js-yaml included, so a worker loads a single script and no ES
// module loader (which, with our shared chunks, was most of a worker's start). The `yaml` library, which only a config
// with a problem needs, stays behind its stand-in (lib/yaml.cjs); import.meta.url becomes the file's own path.
const WORKER = join('lib', 'content-worker.cjs');
const jsYamlInline = {
  name: 'itemstore-worker-js-yaml',
  setup(b) {
    // js-yaml from packages/convert, as its stand-in's file is built, but bundled into the worker.
    b.onResolve({ filter: /^js-yaml$/ }, (args) =>
      args.pluginData?.inline
        ? undefined
        : b.resolve('js-yaml', {
            kind: args.kind,
            resolveDir: join(root, 'packages/convert'),
            pluginData: { inline: true },
          }),
    );
  },
};
const worker = await build({
  entryPoints: [join(root, 'packages/resolve/src/content-worker.ts')],
  outfile: join(finalDir, WORKER),
  write: false,
  ...CJS_FILE,
  define: { 'import.meta.url': '__filename' },
  plugins: [jsYamlInline, sources],
});
result.outputFiles.push(...worker.outputFiles);

// Build beside the target, then move each file into place: a bundle is never missing or half-written while tests
// (or another build) run against dist/.
mkdirSync(dirname(finalDir), { recursive: true });
const outdir = mkdtempSync(`${finalDir}.tmp-`);
for (const file of result.outputFiles) {
  const rel = relative(finalDir, file.path);
  const target = join(outdir, rel);
  mkdirSync(dirname(target), { recursive: true });
  // The CLI is run as a program (npm's bin): a hashbang first.
  writeFileSync(
    target,
    rel === CLI ? Buffer.concat([Buffer.from('#!/usr/bin/env node\n'), file.contents]) : file.contents,
  );
}
chmodSync(join(outdir, CLI), 0o755);
writeFileSync(join(outdir, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');

function files(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, base, out);
    else out.push(p.slice(base.length + 1));
  }
  return out;
}
const built = new Set(files(outdir));
for (const f of built) {
  mkdirSync(dirname(join(finalDir, f)), { recursive: true });
  renameSync(join(outdir, f), join(finalDir, f));
}
for (const f of files(finalDir)) if (!built.has(f)) rmSync(join(finalDir, f));
for (const d of readdirSync(finalDir)) {
  const p = join(finalDir, d);
  if (statSync(p).isDirectory() && readdirSync(p).length === 0) rmSync(p, { recursive: true });
}
rmSync(outdir, { recursive: true, force: true });
const total = [...built].reduce((n, f) => n + statSync(join(finalDir, f)).size, 0);
console.log(
  `built ${entries.length} entries and ${[...built].filter((f) => f.startsWith('lib/')).length} shared chunks into ${finalDir} (${(total / 1024 / 1024).toFixed(2)} MB)`,
);
