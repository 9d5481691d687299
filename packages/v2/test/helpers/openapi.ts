import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';

const root = join(import.meta.dirname, '../../../..');
export const openapiPath = join(root, 'openapi/item-store-v2.yaml');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Checks answers against the response schemas of openapi/item-store-v2.yaml: the whole document is one JSON
 * Schema 2020-12 resource (OpenAPI 3.1 schemas are), and each answer is validated by a `$ref` into it.
 */
export class OpenApiChecker {
  readonly doc: Json;
  private readonly ajv: Ajv2020;

  constructor() {
    this.doc = parse(readFileSync(openapiPath, 'utf8'));
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    this.ajv.addFormat('date-time', { validate: (s: string) => !Number.isNaN(Date.parse(s)) });
    this.ajv.addSchema({ ...this.doc, $id: 'openapi.json' });
  }

  /** Every operation of the document: operationId → [path, method]. */
  operations(): Map<string, [string, string]> {
    const ops = new Map<string, [string, string]>();
    for (const [path, item] of Object.entries(this.doc.paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item as Record<string, Json>))
        ops.set(op.operationId, [path, method]);
    }
    return ops;
  }

  /** Throws with the schema errors unless (status, headers, body) is an answer the document allows. */
  check(operationId: string, status: number, headers: Headers, body: unknown): void {
    const op = this.operations().get(operationId);
    if (!op) throw new Error(`no operation ${operationId} in the OpenAPI document`);
    const [path, method] = op;
    const responses = this.doc.paths[path][method].responses as Record<string, Json>;
    const key = String(status) in responses ? String(status) : `${String(status)[0]}XX`;
    if (!(key in responses)) throw new Error(`${operationId}: status ${status} is not documented`);
    let pointer = `#/paths/${escape(path)}/${method}/responses/${key}`;
    let response = responses[key];
    if (response.$ref) {
      pointer = response.$ref;
      response = this.resolve(response.$ref);
    }
    for (const [name, h] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
      const header = h.$ref ? this.resolve(h.$ref) : h;
      if (header.required && !headers.get(name))
        throw new Error(`${operationId} ${status}: header ${name} missing`);
    }
    const schemaRef = `openapi.json${pointer}/content/application~1json/schema`;
    const validate = this.ajv.getSchema(schemaRef) ?? this.ajv.compile({ $ref: schemaRef });
    if (!validate(body)) {
      throw new Error(
        `${operationId} ${status}: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
      );
    }
  }

  private resolve(ref: string): Json {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: Json, part) => node[part.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
  }
}

function escape(path: string): string {
  return path.replace(/~/g, '~0').replace(/\//g, '~1');
}
