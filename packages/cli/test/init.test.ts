import { describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_DIR, initCommand, tagsModeline } from '../src/commands/init.js';

const repoSchemas = join(import.meta.dirname, '..', '..', '..', 'schemas');

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await initCommand(args), out };
  } finally {
    spy.mockRestore();
  }
}

describe('itemstore init', () => {
  it('copies both schemas byte-equal in value, maps them for VS Code, and a second run changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'init-'));
    try {
      const first = await run(['--repo', dir]);
      expect(first.code).toBe(0);
      for (const name of ['item-store.schema.json', 'tags.schema.json']) {
        expect(JSON.parse(readFileSync(join(dir, SCHEMA_DIR, name), 'utf8'))).toEqual(
          JSON.parse(readFileSync(join(repoSchemas, name), 'utf8')),
        );
        expect(first.out).toContain(`created    ${SCHEMA_DIR}/${name}`);
      }
      const vscode = JSON.parse(readFileSync(join(dir, '.vscode', 'settings.json'), 'utf8'));
      expect(vscode['yaml.schemas'][`./${SCHEMA_DIR}/item-store.schema.json`]).toBe('item-store.yaml');
      expect(first.out).toContain(
        '# yaml-language-server: $schema=./.itemstore/schemas/item-store.schema.json',
      );
      expect(first.out).toContain('# yaml-language-server: $schema=../.itemstore/schemas/tags.schema.json');

      const second = await run(['--repo', dir]);
      expect(second.out).toContain(`unchanged  ${SCHEMA_DIR}/tags.schema.json`);
      expect(second.out).not.toContain('created');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps an existing .vscode/settings.json and prints what to add', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'init-'));
    try {
      mkdirSync(join(dir, '.vscode'));
      writeFileSync(join(dir, '.vscode', 'settings.json'), '{ // mine\n}\n');
      const { out } = await run(['--repo', dir]);
      expect(readFileSync(join(dir, '.vscode', 'settings.json'), 'utf8')).toBe('{ // mine\n}\n');
      expect(out).toContain('kept       .vscode/settings.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the tags modeline climbs one folder per level', () => {
    expect(tagsModeline(0)).toContain('$schema=./.itemstore/');
    expect(tagsModeline(2)).toContain('$schema=../../.itemstore/');
  });
});
