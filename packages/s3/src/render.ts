/**
 * What S3 stores for a config (SPEC §2 "What S3 stores"): the file's bytes exactly as in git, or, for team format
 * dq and teams with s3Format legacy-multidoc, the legacy multi-document YAML made by @itemstore/convert. Every
 * config is parsed either way, so a broken file stops the run before anything is written.
 */
import { ConfigError, ConfigErrors, md5Hex } from '@itemstore/core';
import type { S3Format } from '@itemstore/config';
import {
  parseConfig,
  toLegacyMultiDoc,
  yaml11Problems,
  type ConfigFormat,
  type Yaml11Finding,
} from '@itemstore/convert';

export interface RenderInput {
  /** Repo-relative path (named in every error; its extension picks the parser). */
  path: string;
  bytes: Buffer;
  /** The team's format (`plain`, `config-list`, `dq`). */
  format: string;
  s3Format: S3Format;
  maxBytes?: number;
}

export interface RenderedObject {
  body: Buffer;
  md5: string;
  contentType: string;
  /** Scalars YAML 1.1 readers read differently from V2, when S3 gets the file's bytes (empty otherwise). */
  yaml11: Yaml11Finding[];
}

/**
 * Throws ConfigError (located) when the config does not parse or cannot be converted. `yaml11` lists the scalars YAML
 * 1.1 readers read differently from V2 when S3 gets these very bytes (writers refuse them: `yaml11Refusals`).
 */
export function renderForS3(input: RenderInput): RenderedObject {
  const format = asFormat(input.format, input.path);
  const findings: Yaml11Finding[] = [];
  const value = parseConfig(input.bytes, {
    file: input.path,
    format,
    ...(input.maxBytes === undefined ? {} : { maxBytes: input.maxBytes }),
    ...(input.s3Format === 'bytes' ? { yaml11: { onFinding: (f: Yaml11Finding) => findings.push(f) } } : {}),
  });
  const body =
    input.s3Format === 'legacy-multidoc'
      ? Buffer.from(toLegacyMultiDoc(value, { file: input.path }), 'utf8')
      : input.bytes;
  return {
    body,
    md5: md5Hex(body),
    contentType: input.s3Format === 'legacy-multidoc' ? YAML_TYPE : contentTypeFor(input.path),
    yaml11: findings,
  };
}

/**
 * A writer's refusal of a rendered object (the rule resolve-tags applies on the push path, `yaml11Problems`, applied
 * again where S3 is written, so `sync-s3 --full` and the CLI never upload such a file): one located error per scalar
 * YAML 1.1 readers of S3 would read differently from V2.
 */
export function yaml11Refusals(path: string, rendered: RenderedObject): ConfigErrors | undefined {
  return rendered.yaml11.length ? new ConfigErrors(yaml11Problems(rendered.yaml11, path, true)) : undefined;
}

const YAML_TYPE = 'application/yaml';

/** application/json for .json, application/yaml (RFC 9512) for .yaml/.yml. */
export function contentTypeFor(path: string): string {
  const ext = /\.([^./]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === 'json') return 'application/json';
  if (ext === 'yaml' || ext === 'yml') return YAML_TYPE;
  return 'application/octet-stream';
}

function asFormat(format: string, path: string): ConfigFormat {
  if (format === 'plain' || format === 'config-list' || format === 'dq') return format;
  throw new ConfigError(
    'unknown-format',
    `${path}: the team's format "${format}" is not plain, config-list or dq.`,
    {
      file: path,
    },
  );
}
