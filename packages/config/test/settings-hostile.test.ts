import { describe, expect, it } from '@jest/globals';
import { ConfigError, ConfigErrors } from '@itemstore/core';
import { parseSettings, parseTagsFile } from '@itemstore/config';

describe("the repo's own YAML files on hostile input", () => {
  it('a 10,000-deep tags.yaml is a located error, not a crash', () => {
    const r = parseTagsFile(`tags: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, 'team/tags.yaml');
    expect(r.errors[0]).toMatchObject({ code: 'nesting-too-deep', file: 'team/tags.yaml', line: 1 });
  });

  it('a 10,000-deep item-store.yaml (block style) is a located error, not a crash', () => {
    const deep = Array.from({ length: 10_000 }, (_, i) => `${'  '.repeat(i)}- `).join('\n') + 'x\n';
    let err: unknown;
    try {
      parseSettings(`version: 1\nteams:\n${deep}`, 'item-store.yaml');
    } catch (e) {
      err = e;
    }
    const first = err instanceof ConfigErrors ? err.errors[0] : err;
    expect(first).toBeInstanceOf(ConfigError);
    expect(first).toMatchObject({ code: 'nesting-too-deep', file: 'item-store.yaml' });
  });
});
