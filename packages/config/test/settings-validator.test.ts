import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
// @ts-expect-error: plain ESM JavaScript, no types
import { generate, OUT } from '../../../scripts/gen-schema-validator.mjs';

test('the precompiled item-store.yaml validator matches schemas/item-store.schema.json', () => {
  const current = readFileSync(OUT as string, 'utf8') === (generate() as string);
  if (!current) {
    throw new Error(
      'packages/config/src/generated/settings-validator.ts is out of date with schemas/item-store.schema.json: ' +
        'run `node scripts/gen-schema-validator.mjs` and commit the result',
    );
  }
  expect(current).toBe(true);
});
