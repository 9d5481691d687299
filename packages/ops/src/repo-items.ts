/**
 * main's configs as the stores should hold them: for each config of the repo (resolved as on mainBranch, so no
 * `branch` tag), the exact V2 JSON text and the exact S3 bytes we would write, with their MD5s. Every config is
 * read and converted here, before any request, so one bad file stops a run before it writes anything.
 */
import { ConfigError, ConfigErrors, md5Hex, type Logger, type RepoTree } from '@itemstore/core';
import {
  deployEnvironmentOf,
  knownEnvironment,
  loadSettings,
  resolveTree,
  s3FormatFor,
  type ResolvedConfig,
  type S3Format,
  type Settings,
  type Tags,
} from '@itemstore/config';
import { toV2Json, yaml11Message, type Yaml11Finding } from '@itemstore/convert';
import { renderForS3 } from '@itemstore/s3';

export interface RepoItem {
  config: ResolvedConfig;
  /** The V2 JSON text (when V2 is a target). */
  v2Text?: string;
  v2Md5?: string;
  /** Key below the tenant's prefix, the bytes S3 stores, and their MD5 (when S3 is a target). */
  s3KeyBelowPrefix?: string;
  s3Body?: Buffer;
  s3Md5?: string;
  s3Format?: S3Format;
  contentType?: string;
  /**
   * Scalars of a config S3 gets byte for byte that YAML 1.1 readers of S3 read differently from V2 (yaml11.ts):
   * the two stores hold the same bytes but not the same meaning.
   */
  yaml11?: Yaml11Finding[];
}

export interface RepoSnapshot {
  settings: Settings;
  items: RepoItem[];
}

/** Reads item-store.yaml and every config (or those under `paths`) of main. Throws ConfigErrors on any problem. */
export async function loadRepoItems(
  tree: RepoTree,
  options: { paths?: string[]; logger?: Logger; settings?: Settings } = {},
): Promise<RepoSnapshot> {
  const settings = options.settings ?? (await loadSettings(tree));
  const { configs, errors } = await resolveTree(tree, settings, {
    branch: settings.mainBranch,
    ...(options.paths?.length ? { paths: options.paths } : {}),
  });
  const problems: ConfigError[] = errors.filter((e) => e.severity === 'error');
  for (const w of errors.filter((e) => e.severity === 'warning')) options.logger?.warning(w);
  const items: RepoItem[] = [];
  for (const config of configs) {
    const bytes = await tree.read(config.path);
    if (bytes === undefined) {
      problems.push(
        new ConfigError('missing-file', `not a regular file in the ${tree.label}`, { file: config.path }),
      );
      continue;
    }
    const item: RepoItem = { config };
    const maxBytes = settings.maxConfigBytes;
    try {
      if (config.targets.includes('v2')) {
        const findings: Yaml11Finding[] = [];
        const { text } = toV2Json(bytes, {
          file: config.path,
          format: config.format,
          ...(maxBytes ? { maxBytes } : {}),
          yaml11: { onFinding: (f) => findings.push(f) },
        });
        item.v2Text = text;
        item.v2Md5 = md5Hex(text);
        if (findings.length && config.s3Format === 'bytes') item.yaml11 = findings;
      }
      if (config.targets.includes('s3') && config.s3KeyBelowPrefix !== undefined) {
        const s3Format = s3FormatFor(config.format, config.s3Format);
        const r = renderForS3({
          path: config.path,
          bytes,
          format: config.format,
          s3Format,
          ...(maxBytes ? { maxBytes } : {}),
        });
        item.s3KeyBelowPrefix = config.s3KeyBelowPrefix;
        item.s3Body = r.body;
        item.s3Md5 = r.md5;
        item.s3Format = s3Format;
        item.contentType = r.contentType;
      }
    } catch (err) {
      if (err instanceof ConfigErrors) problems.push(...err.errors);
      else if (err instanceof ConfigError)
        problems.push(err.file ? err : err.withLocation({ file: config.path }));
      else throw err;
      continue;
    }
    items.push(item);
  }
  if (problems.length) throw new ConfigErrors(problems);
  return { settings, items };
}

/** The environment, checked against item-store.yaml (default: the first one); the gate refuses unknown names. */
export function checkEnvironment(
  settings: Settings,
  environment: string | undefined,
  what = 'environment',
): string {
  return knownEnvironment(settings, environment || deployEnvironmentOf(settings), what);
}

/** The same key for the same namespace and tags, whatever the tags' order. */
export function identityKey(namespace: string, tags: Tags): string {
  const keys = Object.keys(tags).sort();
  return JSON.stringify([namespace, ...keys.map((k) => [k, tags[k]])]);
}

/** Items of feature branches carry a `branch` tag; validate and promote look at main's items only. */
export function isBranchItem(tags: Tags): boolean {
  return Object.hasOwn(tags, 'branch');
}

/** One sentence on a config whose S3 bytes YAML 1.1 readers read differently from V2. */
export function yaml11Detail(item: RepoItem): string | undefined {
  const [first, ...rest] = item.yaml11 ?? [];
  if (!first) return undefined;
  return (
    `YAML 1.1 readers of S3 read ${rest.length + 1} scalar(s) differently from V2, first at line ${first.line}, ` +
    `column ${first.column}: ${yaml11Message(first, true)}`
  );
}
