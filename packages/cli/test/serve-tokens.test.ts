/** `itemstore serve --tokens FILE`: the scoped tokens file, read and checked before the server starts. */
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTokens } from '../src/commands/serve.js';

const file = (content: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'serve-tokens-')), 'tokens.json');
  writeFileSync(path, content);
  return path;
};

describe('serve --tokens FILE', () => {
  test('a list of named tokens with scopes; a token without scopes keeps full rights', async () => {
    const path = file(
      JSON.stringify([
        { name: 'branch', token: 'b-1', scopes: ['write:dev:branch'] },
        { name: 'admin', token: 'a-1' },
      ]),
    );
    expect(await readTokens(path)).toEqual([
      { name: 'branch', token: 'b-1', scopes: ['write:dev:branch'] },
      { name: 'admin', token: 'a-1' },
    ]);
    expect(await readTokens(file(JSON.stringify({ tokens: [{ token: 'x', scopes: ['read'] }] })))).toEqual([
      { token: 'x', scopes: ['read'] },
    ]);
  });

  test('an unknown scope, a missing token or a file that is not JSON is refused by name', async () => {
    const typo = file(JSON.stringify([{ name: 'prod', token: 't', scopes: ['promote:prod', 'promot:qa'] }]));
    await expect(readTokens(typo)).rejects.toThrow(
      `--tokens ${typo}: entry 1 ("prod") has the unknown scope "promot:qa": use read, write:<env>, write:<env>:branch, write:<env>:main or promote:<env>.`,
    );
    const none = file(JSON.stringify([{ name: 'x' }]));
    await expect(readTokens(none)).rejects.toThrow(`--tokens ${none}: entry 1 ("x") has no "token" string.`);
    await expect(readTokens(file('{'))).rejects.toThrow('is not a readable JSON file');
    await expect(readTokens(file('[]'))).rejects.toThrow('must hold a non-empty JSON list');
  });
});
