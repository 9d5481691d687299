/** Reading the manifest files that pass between the actions, refusing one this version does not understand. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './errors.js';
import {
  CHANGE_MANIFEST_VERSION,
  RESOLVED_MANIFEST_VERSION,
  type ChangeManifest,
  type ResolvedManifest,
} from './manifest.js';

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `Cannot read the manifest file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}.`,
    );
  }
  try {
    const data: unknown = JSON.parse(text);
    if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UsageError(
    `The manifest file ${path} is not a JSON object; pass the "manifest" output of ${what}.`,
  );
}

/** resolve-tags' output (the input of deploy-item-store-v2, sync-s3, convert-dq-legacy). */
export async function readResolvedManifest(path: string): Promise<ResolvedManifest> {
  const m = await readJson(path, 'resolve-tags');
  if (
    m.version !== RESOLVED_MANIFEST_VERSION ||
    !Array.isArray(m.entries) ||
    typeof m.repoRoot !== 'string' ||
    typeof m.headSha !== 'string' ||
    !('isMainBranch' in m)
  ) {
    throw new UsageError(
      `The manifest file ${path} is not a resolved manifest (version ${RESOLVED_MANIFEST_VERSION}); pass the "manifest" output of resolve-tags, not of detect-changed-paths.`,
    );
  }
  return { ...m, errors: Array.isArray(m.errors) ? m.errors : [] } as unknown as ResolvedManifest;
}

/** detect-changed-paths' output (the input of resolve-tags). */
export async function readChangeManifest(path: string): Promise<ChangeManifest> {
  const m = await readJson(path, 'detect-changed-paths');
  if (!Array.isArray(m.entries) || typeof m.repoRoot !== 'string' || 'isMainBranch' in m) {
    throw new UsageError(
      `The manifest file ${path} is not a change manifest; pass the "manifest" output of detect-changed-paths.`,
    );
  }
  if (m.version !== CHANGE_MANIFEST_VERSION) {
    throw new UsageError(
      `The manifest file ${path} has version ${String(m.version)}; this release reads version ${CHANGE_MANIFEST_VERSION}: use the same release of every action.`,
    );
  }
  return m as unknown as ChangeManifest;
}

/** The config repo a manifest was made from (the git work tree plus the working-directory). */
export function configRootOf(manifest: Pick<ResolvedManifest, 'repoRoot' | 'workingDirectory'>): string {
  return join(manifest.repoRoot, manifest.workingDirectory || '.');
}
