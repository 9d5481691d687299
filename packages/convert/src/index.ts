export { parseConfig, toV2Json, configSyntax, checkFormat, CONFIG_FORMATS } from './parse-config.js';
export type { ConfigFormat, ConvertOptions } from './parse-config.js';
export { toLegacyMultiDoc, fromLegacyMultiDoc, toConfigListYaml } from './legacy.js';
export { canonicalJson, canonicalHash, stringifyV2 } from './serialize.js';
export { emitYaml, EMIT_OPTIONS } from './emit-yaml.js';
export { DEFAULT_MAX_BYTES, decodeConfig, firstInvalidUtf8 } from './source.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_ALIAS_NODES, CONVERT_ERROR_CODES } from './codes.js';
export type { ConvertErrorCode } from './codes.js';
export { assertYamlNesting } from './yaml-json.js';
export { fastYamlStats, fastRepoYamlValue } from './fast-yaml.js';
export type { FastYamlStats } from './fast-yaml.js';
export {
  yaml11Difference,
  readPlain11,
  readPlain12,
  sameReading,
  describeReading,
  yaml11Message,
  plainFor,
  storedKey,
} from './yaml11.js';
export type {
  Yaml11Difference,
  Yaml11Finding,
  Yaml11Mode,
  ScalarReading,
  StoredValue,
  YamlType,
} from './yaml11.js';
export { yaml11Findings, yaml11Problems, rewriteYaml11, YAML11_CODE } from './yaml11-files.js';
