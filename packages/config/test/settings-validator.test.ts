import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error: plain ESM JavaScript, no types
import { generate, OUT } from '../../../scripts/gen-schema-validator.mjs';

test('the precompiled item-store.yaml validator matches schemas/item-store.schema.json', () => {
  // After changing the schema: node scripts/gen-schema-validator.mjs
  expect(readFileSync(OUT, 'utf8') === (generate() as string)).toBe(true);
  expect(OUT).toBe(join(import.meta.dirname, '../src/generated/settings-validator.ts'));
});
