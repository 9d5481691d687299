/**
 * What S3 stores for a config (SPEC §2 "What S3 stores"): the file's bytes exactly as in git, or, for team format
 * dq and teams with s3Format legacy-multidoc, the legacy multi-document YAML made by @itemstore/convert. Every
 * config is parsed either way, so a broken file stops the run before anything is written.
 */
import { ConfigError, md5Hex } from '@itemstore/core';
import type { S3Format } from '@itemstore/config';
import { parseConfig, toLegacyMultiDoc, type ConfigFormat } from '@itemstore/convert';

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
}

/** Throws ConfigError (located) when the config does not parse or cannot be converted. */
export function renderForS3(input: RenderInput): RenderedObject {
  const format = asFormat(input.format, input.path);
  const value = parseConfig(input.bytes, {
    file: input.path,
    format,
    ...(input.maxBytes === undefined ? {} : { maxBytes: input.maxBytes }),
  });
  const body =
    input.s3Format === 'legacy-multidoc'
      ? Buffer.from(toLegacyMultiDoc(value, { file: input.path }), 'utf8')
      : input.bytes;
  return {
    body,
    md5: md5Hex(body),
    contentType: input.s3Format === 'legacy-multidoc' ? YAML_TYPE : contentTypeFor(input.path),
  };
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
