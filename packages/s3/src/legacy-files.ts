/**
 * convert-dq-legacy: DQ configs (`config_list`) ⇄ the legacy multi-document YAML, as files in an output folder,
 * for workflows that need files rather than an S3 sync. The conversion itself is @itemstore/convert's; this module
 * chooses the files, validates them all, and only then writes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, ConfigErrors, UsageError, type RepoTree, type ResolvedManifest } from '@itemstore/core';
import {
  configSyntax,
  fromLegacyMultiDoc,
  parseConfig,
  toConfigListYaml,
  toLegacyMultiDoc,
} from '@itemstore/convert';
import { s3FormatFor } from '@itemstore/config';

export type LegacyDirection = 'to-legacy' | 'from-legacy';

export interface ConvertedFile {
  /** Repo-relative path of the input. */
  path: string;
  /** Absolute path written. */
  output: string;
  bytes: number;
}

/** The configs of a manifest that S3 stores in the legacy format (dq teams, s3Format legacy-multidoc). */
export function legacyPathsOf(manifest: ResolvedManifest): string[] {
  return manifest.entries
    .filter(
      (e) =>
        e.action === 'upsert' &&
        e.targets.includes('s3') &&
        s3FormatFor(e.format, e.s3Format) === 'legacy-multidoc',
    )
    .map((e) => e.path);
}

/** `to-legacy`: one DQ config → legacy text. `from-legacy`: legacy text → the config_list file (YAML or JSON). */
export function convertLegacy(
  bytes: Buffer,
  path: string,
  direction: LegacyDirection,
  maxBytes?: number,
): string {
  const limits = maxBytes === undefined ? {} : { maxBytes };
  if (direction === 'to-legacy') {
    return toLegacyMultiDoc(parseConfig(bytes, { file: path, format: 'dq', ...limits }), { file: path });
  }
  const { value, text } = fromLegacyMultiDoc(bytes, { file: path, ...limits });
  return configSyntax(path) === 'json' ? text : toConfigListYaml(value, { file: path });
}

/**
 * Converts every file (paths relative to the tree's root) into outputDir/<path>. Every file is read and converted
 * before the first one is written: one bad file and nothing is written.
 */
export async function convertLegacyFiles(options: {
  tree: RepoTree;
  /** The tree's folder, so absolute paths inside it are accepted. */
  root?: string;
  paths: readonly string[];
  direction: LegacyDirection;
  outputDir: string;
  maxBytes?: number;
}): Promise<ConvertedFile[]> {
  const outRoot = resolve(options.outputDir);
  const errors: ConfigError[] = [];
  const pending: { path: string; output: string; text: string }[] = [];
  for (const raw of new Set(options.paths)) {
    const path = normalizeRelative(raw, options.root);
    const bytes = await options.tree.read(path);
    if (bytes === undefined) {
      errors.push(
        new ConfigError('missing-file', `${path} is not a regular file in the ${options.tree.label}`, {
          file: path,
        }),
      );
      continue;
    }
    try {
      const text = convertLegacy(bytes, path, options.direction, options.maxBytes);
      pending.push({ path, output: join(outRoot, ...path.split('/')), text });
    } catch (err) {
      if (err instanceof ConfigError) errors.push(err.file ? err : err.withLocation({ file: path }));
      else if (err instanceof ConfigErrors) errors.push(...err.errors);
      else throw err;
    }
  }
  if (errors.length) throw new ConfigErrors(errors);
  const written: ConvertedFile[] = [];
  for (const p of pending) {
    await mkdir(dirname(p.output), { recursive: true });
    await writeFile(p.output, p.text);
    written.push({ path: p.path, output: p.output, bytes: Buffer.byteLength(p.text) });
  }
  return written;
}

/**
 * `./a/b.yaml` → `a/b.yaml`; an absolute path inside `root` becomes relative to it; a path that leaves the repo is
 * a usage error.
 */
export function normalizeRelative(path: string, root?: string): string {
  const rel = isAbsolute(path) ? (root ? relative(root, path) : '..') : path;
  const parts: string[] = [];
  for (const seg of rel.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      throw new UsageError(
        `File "${path}" is outside the working directory; give paths inside the config repo.`,
      );
    }
    parts.push(seg);
  }
  if (!parts.length) throw new UsageError(`File "${path}" does not name a file.`);
  return parts.join('/');
}
