/**
 * The contract's limits (SPEC §2 and §5, the table "Limits"), in one place. The plan (item-store.yaml and tags.yaml
 * validation, tag resolution, conversion), the V2 client and the reference server all read them from here, and a
 * test checks that schemas/ and openapi/ state the same numbers. What the plan accepts, the server accepts.
 *
 * Unit: lengths of names and tag values count Unicode code points (what JSON Schema's `maxLength` counts), never
 * UTF-16 code units: "é" and "😀" are one character each. Sizes are UTF-8 bytes.
 */
export const LIMITS = {
  /** Namespace: `^[A-Za-z0-9][A-Za-z0-9_.-]*$`, 1 to 64 characters. */
  namespaceLength: 64,
  /** Tag key: `^[a-z][a-z0-9_.-]*$`, 1 to 63 characters. */
  tagKeyLength: 63,
  /** Tag value: 1 to 256 characters (code points), no control characters, well-formed Unicode. */
  tagValueLength: 256,
  /** Tags of one item, the implicit name, team and branch included. */
  tagsPerItem: 32,
  /** Environment name: `^[a-z][a-z0-9-]*$`, 1 to 32 characters. */
  environmentLength: 32,
  /** The JSON text V2 stores for one version (what conversion produces), in bytes. */
  contentBytes: 2 * 1024 * 1024,
  /** Largest config file by default (item-store.yaml `maxConfigBytes`). */
  configBytesDefault: 1024 * 1024,
  /** The highest `maxConfigBytes` item-store.yaml may set: a config is never larger than what V2 may store. */
  configBytesMax: 2 * 1024 * 1024,
  /** One tags.yaml / tags.yml file. */
  tagsFileBytes: 256 * 1024,
  /** item-store.yaml. */
  settingsFileBytes: 256 * 1024,
  /** A config's path in the repo (it is recorded in each version's metadata). */
  pathLength: 1024,
  /** One value of a version's metadata (`commit`, `branch`, `path`, `runUrl`). */
  metadataValueLength: 2048,
} as const;

/** `^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`. */
export const NAMESPACE_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${LIMITS.namespaceLength - 1}}$`);
/** `^[a-z][a-z0-9_.-]{0,62}$`. */
export const TAG_KEY_PATTERN = new RegExp(`^[a-z][a-z0-9_.-]{0,${LIMITS.tagKeyLength - 1}}$`);
/** `^[a-z][a-z0-9-]{0,31}$`. */
export const ENVIRONMENT_PATTERN = new RegExp(`^[a-z][a-z0-9-]{0,${LIMITS.environmentLength - 1}}$`);

/**
 * Largest request body a V2 server must read. A PUT body is `{"content": <JSON string>, ...}`: the content is
 * itself JSON text, so JSON-escaping it at most doubles it (`"`, `\` and line breaks are the only characters that
 * need escaping), plus room for md5 and metadata.
 */
export const MAX_REQUEST_BODY_BYTES = 2 * LIMITS.contentBytes + 64 * 1024;

/**
 * Largest request head (request line and headers) a V2 server must read: a search URL carries every tag of an
 * item as `tag=<key>:<value>`, each character of a value percent-encoded in at most 12 bytes (`%F0%9F%98%80`).
 */
export const MAX_REQUEST_HEAD_BYTES =
  LIMITS.tagsPerItem * ('&tag='.length + LIMITS.tagKeyLength + 3 + 12 * LIMITS.tagValueLength) + 32 * 1024;

/** Length in Unicode code points (a surrogate pair counts once; a lone surrogate counts once too). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** False when the string holds half of a surrogate pair (only escapes such as `"\ud800"` can produce one). */
export function isWellFormedUnicode(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?:[^\ud800-\udbff]|^)[\udc00-\udfff]/.test(s);
}

/**
 * Names of Object.prototype's properties (`constructor`, `toString`, `__proto__`, ...). A user-chosen name that is
 * one of them is refused where it becomes a lookup key (tenants, teams, environments), so no plain-object lookup
 * anywhere can answer with a built-in instead of "not defined".
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

/** `1.5 MiB`, `12.0 KiB`, `300 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(2)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
