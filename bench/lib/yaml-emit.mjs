// A small YAML writer for the synthetic repo's generated values, with the features real config authors use that a
// generic dumper would not produce: comments, anchors with merge keys (`<<: *defaults`) and literal block scalars.
// Its input is only what bench/lib/synthetic-repo.mjs builds (plain strings, numbers, booleans, maps, lists).

/** Marks a mapping or list item with an anchor: `{[ANCHOR]: 'defaults', ...}` writes `&defaults`. */
export const ANCHOR = Symbol('anchor');
/** `{[MERGE]: 'defaults', ...}` writes `<<: *defaults` as the mapping's first key. */
export const MERGE = Symbol('merge');
/** Keys starting with this prefix are written as a `# comment` line (their value is the text). */
export const COMMENT_PREFIX = '__comment';

const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;
const PLAIN = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const NUMBERISH = /^[-+]?(?:\d|\.\d|\.inf|\.nan)/i;

export function yamlScalar(v) {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  const s = String(v);
  if (PLAIN.test(s) && !RESERVED.test(s) && !NUMBERISH.test(s)) return s;
  return JSON.stringify(s);
}

function isScalar(v) {
  return v === null || typeof v !== 'object';
}

function isShortScalarList(v) {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.length <= 6 &&
    v.every((x) => isScalar(x) && !String(x).includes('\n'))
  );
}

/** Lines of a mapping at `indent` spaces. The first line may be joined to a list dash by the caller. */
function mappingLines(obj, indent) {
  const pad = ' '.repeat(indent);
  const lines = [];
  if (obj[MERGE]) lines.push(`${pad}<<: *${obj[MERGE]}`);
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith(COMMENT_PREFIX)) {
      lines.push(`${pad}# ${value}`);
      continue;
    }
    lines.push(...entryLines(`${pad}${yamlScalar(key)}:`, value, indent));
  }
  return lines;
}

/** `head` is "key:" or "-" already indented; the value follows on the same line or below it. */
function entryLines(head, value, indent) {
  if (typeof value === 'string' && value.includes('\n')) {
    const body = value.endsWith('\n') ? value.slice(0, -1) : value;
    const chomp = value.endsWith('\n') ? '|' : '|-';
    return [`${head} ${chomp}`, ...body.split('\n').map((l) => (l ? ' '.repeat(indent + 2) + l : ''))];
  }
  if (isScalar(value)) return [`${head} ${yamlScalar(value)}`];
  if (isShortScalarList(value)) return [`${head} [${value.map(yamlScalar).join(', ')}]`];
  const anchor = value[ANCHOR] ? ` &${value[ANCHOR]}` : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${head}${anchor} []`];
    // A list under a key is written at the key's own indentation (the common style in config repos).
    const isKey = !head.trimStart().startsWith('-');
    return [`${head}${anchor}`, ...listLines(value, isKey ? indent : indent + 2)];
  }
  if (Object.keys(value).length === 0 && !value[MERGE]) return [`${head}${anchor} {}`];
  return [`${head}${anchor}`, ...mappingLines(value, indent + 2)];
}

function listLines(list, indent) {
  const pad = ' '.repeat(indent);
  const lines = [];
  for (const item of list) {
    if (isScalar(item) || Array.isArray(item) || item[ANCHOR]) {
      lines.push(...entryLines(`${pad}-`, item, indent));
      continue;
    }
    // A mapping item starts on the dash line: "- key: value", the rest indented under the key.
    const inner = mappingLines(item, indent + 2);
    if (inner.length === 0) {
      lines.push(`${pad}- {}`);
      continue;
    }
    inner[0] = `${pad}- ${inner[0].slice(indent + 2)}`;
    lines.push(...inner);
  }
  return lines;
}

/** The YAML text of a root mapping, ending with a newline. */
export function emitYamlDocument(root) {
  return mappingLines(root, 0).join('\n') + '\n';
}

/** Lines of one list item at `indent` (used to grow a `config_list:` one entry at a time). */
export function emitYamlListItem(item, indent = 0) {
  return listLines([item], indent).join('\n') + '\n';
}

/** The same value as JSON (comments, anchors and merges dropped): what a `.json` config would hold. */
export function toPlainJson(value) {
  if (isScalar(value)) return value;
  if (Array.isArray(value)) return value.map(toPlainJson);
  const out = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith(COMMENT_PREFIX)) out[k] = toPlainJson(v);
  return out;
}
