import type { RepoTree, TreeFile } from '@itemstore/core';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bucketsNamed, settingsYaml } from '../../../test/helpers/settings.js';

export const sampleRepo = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../test/fixtures/sample-repo',
);

export const SETTINGS_YAML = settingsYaml({ buckets: bucketsNamed('retail-configs') });

const made: string[] = [];

/** A real directory holding `files` (path → content; `{ symlink: target }` makes a symlink). */
export function makeRepo(files: Record<string, string | { symlink: string }>): string {
  const root = mkdtempSync(join(tmpdir(), 'itemstore-config-'));
  made.push(root);
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof content === 'string') writeFileSync(abs, content);
    else symlinkSync(content.symlink, abs);
  }
  return root;
}

export function removeRepos(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Wraps a tree and records every read, to prove what was (not) read. */
export class RecordingTree implements RepoTree {
  readonly reads: string[] = [];
  constructor(private readonly inner: RepoTree) {}
  get label(): string {
    return this.inner.label;
  }
  list(): Promise<TreeFile[]> {
    return this.inner.list();
  }
  read(path: string): Promise<Buffer | undefined> {
    this.reads.push(path);
    return this.inner.read(path);
  }
}
