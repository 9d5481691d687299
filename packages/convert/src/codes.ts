/** Limits that keep hostile input cheap. Both can be lowered or raised per call through ConvertOptions. */
export const DEFAULT_MAX_DEPTH = 256;
/** Nodes that alias expansion (`*ref`, `<<: *ref`) may add to one document. */
export const DEFAULT_MAX_ALIAS_NODES = 100_000;
/** Handed to the yaml library too, for any code path of its own that counts aliases. */
export const YAML_MAX_ALIAS_COUNT = 1_000;

/** Every `code` a ConfigError from this package can carry, with what it means (the README table is this list). */
export const CONVERT_ERROR_CODES = {
  'file-too-large': 'the file is over the size limit (1 MiB unless configured)',
  'invalid-utf8': 'the bytes are not UTF-8',
  'empty-file': 'nothing but whitespace or comments (no document)',
  'unsupported-file-type': 'the extension is not .json, .yaml or .yml',
  'json-syntax': 'not JSON (RFC 8259)',
  'yaml-syntax': 'not YAML 1.2 (includes unknown aliases)',
  'duplicate-key': 'the same key twice in one mapping or object',
  'key-collision': 'two different keys that become the same string (`1:` and `"1":`)',
  'complex-key': 'a mapping or sequence used as a key',
  'unsupported-tag': 'an explicit tag other than the core ones (`!!binary`, `!!timestamp`, `!custom`)',
  'non-finite-number': '`.inf`, `.nan`, or a number too big for a double (`1e400`)',
  'integer-range': 'an integer beyond ±(2^53−1), which JSON readers cannot hold exactly',
  'invalid-unicode': 'a string with half of a surrogate pair (`"\\ud800"`)',
  'alias-limit': 'alias expansion past the budget (an alias bomb)',
  'content-too-large':
    'the converted JSON would be over 2 MiB (the largest content Item Store V2 stores), aliases charged by the size they expand to',
  'nul-byte': 'a NUL byte in the text',
  'control-character': 'a raw control character other than tab and line breaks',
  'alias-cycle': 'an alias inside the node it refers to',
  'invalid-merge': 'a merge key (`<<`) whose value is not a mapping or a list of mappings',
  'nesting-too-deep': 'collections nested deeper than the limit (256 unless configured)',
  'multi-document':
    'more than one YAML document where one is expected (run `itemstore convert to-config-list`)',
  'empty-document': 'a legacy multi-document file with an empty document (a stray `---`)',
  'config-list-shape': 'team format config-list/dq: the root is not a mapping with a `config_list` list',
  'legacy-extra-keys':
    'to-legacy: the root has keys besides `config_list`, which the legacy format cannot hold',
  'yaml11-ambiguous':
    'a plain scalar YAML 1.1 readers read differently from YAML 1.2 (`yes`, `0755`, `1:30`): an error where S3 gets the bytes, else a warning',
} as const;

export type ConvertErrorCode = keyof typeof CONVERT_ERROR_CODES;
