/**
 * What merging a pull request would write to S3, computed offline: the keys, sizes and bytes (DQ configs in the
 * legacy multi-document YAML) of every upsert, and the keys of every deletion, for one environment. No listing is
 * made: a pull request from a fork has no AWS credentials, and the plan comment shows what the merge writes, not
 * what S3 holds today (sync-s3 then uploads only the objects whose MD5 differs).
 */
import { FsTree, loadSettings, type LocationOverrides } from '@itemstore/config';
import { UsageError, configRootOf, type ResolvedManifest } from '@itemstore/core';
import type { DeletionRequest, DesiredObject } from './plan.js';
import { collectWanted, s3EntriesOf, tenantLocations } from './sources.js';

export interface S3Preview {
  environment: string;
  upserts: DesiredObject[];
  deletions: DeletionRequest[];
}

export async function previewS3Writes(
  manifest: ResolvedManifest,
  options: { environment?: string; overrides?: LocationOverrides } = {},
): Promise<S3Preview> {
  const tree = new FsTree(configRootOf(manifest));
  const settings = await loadSettings(tree);
  const environment = options.environment || settings.environments[0];
  if (!environment || !settings.environments.includes(environment)) {
    throw new UsageError(
      `Environment "${environment}" is not one of the environments in item-store.yaml (${settings.environments.join(', ')}).`,
    );
  }
  const { upserts, deletes } = s3EntriesOf(manifest);
  const locations = tenantLocations(
    settings,
    environment,
    options.overrides ?? {},
    [...upserts, ...deletes].map((c) => c.tenant),
  );
  const wanted = await collectWanted({
    tree,
    locations,
    upserts,
    deletes,
    ...(settings.maxConfigBytes === undefined ? {} : { maxBytes: settings.maxConfigBytes }),
  });
  return { environment, upserts: wanted.desired, deletions: wanted.deletions };
}
