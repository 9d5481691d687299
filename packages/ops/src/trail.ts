/**
 * Where an environment's version came from, read from the audit trail (SPEC §5: `GET …/versions`). validate uses
 * it to tell a version the pipeline wrote (a deploy of main, a promotion, a fix, a migration) from one written
 * around it (a direct API write, a deploy from uncommitted changes or from a feature branch, a deploy record in an
 * environment deploys never write). A promotion is followed to its source version, whose content must be the
 * same: a record that claims a promotion the source does not back is not believed.
 *
 * The trail tells accidents from pipeline writes; it is no defence against someone who forges records with a
 * write token (token scopes are).
 */
import type { ItemStore, VersionInfo } from '@itemstore/v2';

/** The commit migrate records (its manifest has no git commit: the configs come from S3). */
export const MIGRATION_COMMIT = 'migration';

export interface Origin {
  /** True when a pipeline write produced this version (following promotions back to their source). */
  pipeline: boolean;
  /** One phrase for reports: `v3, promoted from dev@2 (deployed from main@1a2b3c4d by alice)`. */
  text: string;
}

/** Version histories, read once per item and environment. */
export class TrailReader {
  private readonly cache = new Map<string, Promise<VersionInfo[]>>();
  constructor(private readonly store: Pick<ItemStore, 'versions'>) {}

  versions(itemId: string, environment: string): Promise<VersionInfo[]> {
    const k = `${itemId}\u0000${environment}`;
    let p = this.cache.get(k);
    if (!p) {
      p = this.store.versions(itemId, environment);
      this.cache.set(k, p);
    }
    return p;
  }
}

export interface OriginContext {
  trail: TrailReader;
  /** item-store.yaml's order: a version of environments[i] is promoted only from environments[i - 1]. */
  environments: readonly string[];
  mainBranch: string;
}

/** Where version `version` of `itemId` in `environments[index]` came from. */
export async function originOf(
  ctx: OriginContext,
  itemId: string,
  index: number,
  version: number,
): Promise<Origin> {
  const env = ctx.environments[index] as string;
  const v = (await ctx.trail.versions(itemId, env)).find((x) => x.version === version);
  if (!v) return { pipeline: false, text: `v${version}: its record could not be read` };
  const m = v.metadata ?? {};
  const by = m.actor ? ` by ${m.actor}` : '';
  const first = ctx.environments[0] as string;
  if (m.promotedFrom) {
    const at = m.promotedFrom.lastIndexOf('@');
    const from = m.promotedFrom.slice(0, at);
    const n = Number(m.promotedFrom.slice(at + 1));
    const previous = index > 0 ? ctx.environments[index - 1] : undefined;
    if (from !== previous || !Number.isInteger(n)) {
      return {
        pipeline: false,
        text: `v${version}: its record says promoted from ${m.promotedFrom}, but ${env} ${previous ? `is promoted only from ${previous}` : 'is written by deploys, not by promotion'}`,
      };
    }
    const source = (await ctx.trail.versions(itemId, from)).find((x) => x.version === n);
    if (!source || source.md5 !== v.md5 || source.deleted !== v.deleted) {
      return {
        pipeline: false,
        text: `v${version}: its record says promoted from ${m.promotedFrom}, but ${from} v${n} ${source ? 'holds other content' : 'does not exist'}`,
      };
    }
    const up = await originOf(ctx, itemId, index - 1, n);
    return {
      pipeline: up.pipeline,
      text: `v${version}, promoted from ${from}@${n}${by} (${from} ${up.text})`,
    };
  }
  if (m.commit === MIGRATION_COMMIT) return { pipeline: true, text: `v${version}, loaded by migrate${by}` };
  if (index === 0 && m.fixedBy) return { pipeline: true, text: `v${version}, written by ${m.fixedBy}${by}` };
  if (index === 0 && m.commit && m.dirty !== 'true' && (!m.branch || m.branch === ctx.mainBranch)) {
    return {
      pipeline: true,
      text: `v${version}, deployed from ${ctx.mainBranch}@${m.commit.slice(0, 8)}${by}`,
    };
  }
  const why =
    m.dirty === 'true'
      ? 'deployed from uncommitted changes'
      : m.commit && index > 0
        ? `a deploy record, but deploys write only ${first}`
        : m.fixedBy
          ? `a fix record without a promotion, but ${env} changes only by promotion`
          : m.commit && m.branch
            ? `deployed from branch ${m.branch}, not ${ctx.mainBranch}`
            : 'no pipeline record (written through the API directly)';
  return { pipeline: false, text: `v${version}${by}: ${why}` };
}
