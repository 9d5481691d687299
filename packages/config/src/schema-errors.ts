/**
 * JSON Schema validation of a YAML file, turning each ajv error into one located ConfigError that names the key path
 * (`teams.ffi2.format: must be one of plain, config-list, dq (got "yml")`). The validator is compiled ahead of time
 * by scripts/gen-schema-validator.mjs (ajv: allErrors, verbose, strict, allowUnionTypes, `patternErrorMessage`
 * known), so no process pays for compiling the schema.
 */
import type { ConfigError } from '@itemstore/core';
import type { ErrorObject } from 'ajv';
import { errorAt, keyPath, nodeAtPath, type YamlSource } from './yaml-source.js';

/** Validates `data` (the YAML document as plain values) and returns located problems, in file order. */
export function validateAgainstSchema(
  validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null },
  data: unknown,
  src: YamlSource,
  code: string,
): ConfigError[] {
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: ConfigError[] = [];
  for (const e of validate.errors ?? []) {
    // The propertyNames keyword reports its own summary on top of the specific failure; keep the specific one.
    if (e.keyword === 'propertyNames') continue;
    const err = toConfigError(e, data, src, code);
    const k = `${err.line}:${err.column}:${err.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(err);
    }
  }
  return out;
}

function toConfigError(e: ErrorObject, root: unknown, src: YamlSource, code: string): ConfigError {
  const path = pointerToPath(e.instancePath, root);
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  const got = describe(e.data);
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    // A bad key (propertyNames): point at the key itself.
    const hint = (parent?.patternErrorMessage as string | undefined) ?? 'it is not an allowed name';
    const where = keyPath(path);
    return errorAt(
      src,
      nodeAtPath(src.doc, [...path, propertyName], 'key'),
      code,
      `${where === '(root)' ? '' : where + ': '}"${propertyName}" is not a valid key: ${hint}`,
    );
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String(e.params.additionalProperty);
      const allowed = Object.keys((parent?.properties as Record<string, unknown> | undefined) ?? {});
      const suggestion = closest(prop, allowed);
      return errorAt(
        src,
        nodeAtPath(src.doc, [...path, prop], 'key'),
        code,
        `${keyPath([...path, prop])}: unknown key "${prop}"` +
          (suggestion
            ? ` (did you mean "${suggestion}"?)`
            : allowed.length
              ? ` (allowed: ${allowed.join(', ')})`
              : ''),
      );
    }
    case 'required': {
      const missing = String(e.params.missingProperty);
      return errorAt(
        src,
        nodeAtPath(src.doc, path),
        code,
        `${keyPath([...path, missing])}: required key "${missing}" is missing`,
      );
    }
    default:
      return errorAt(src, nodeAtPath(src.doc, path), code, `${keyPath(path)}: ${explain(e, parent, got)}`);
  }
}

function explain(e: ErrorObject, parent: Record<string, unknown> | undefined, got: string): string {
  switch (e.keyword) {
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')} (got ${got})`;
    case 'const':
      return `must be ${JSON.stringify(e.params.allowedValue)} (got ${got})`;
    case 'type':
      return `must be ${article(String(e.params.type))} (got ${got})`;
    case 'pattern':
      return `${(parent?.patternErrorMessage as string | undefined) ?? `must match ${String(e.params.pattern)}`} (got ${got})`;
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return Number(e.params.limit) === 1 ? 'must not be empty' : (e.message ?? 'is too short');
    case 'uniqueItems':
      return `lists the same value twice (entries ${e.params.j} and ${e.params.i})`;
    default:
      return `${e.message ?? 'is not valid'}${got ? ` (got ${got})` : ''}`;
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    null: 'empty',
  };
  return type
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ');
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  return String(v);
}

/** JSON pointer → path segments; list indexes become numbers so messages show `environments[1]`. */
function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** A likely intended key for a misspelt one (case or one or two letters off). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}
