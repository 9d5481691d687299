/**
 * sync-s3 from start to end: settings → what we want (validated) → one listing per prefix → plan → apply (unless
 * dry-run) → report. The action and `itemstore sync-s3` both call syncToS3.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ConfigError,
  ConfigErrors,
  UsageError,
  configRootOf,
  noProgress,
  progressCallback,
  type Logger,
  type Progress,
  type ResolvedManifest,
} from '@itemstore/core';
import {
  FsTree,
  deployEnvironmentOf,
  gateDeployEnvironment,
  knownEnvironment,
  loadSettings,
  allConfigsManifest,
  DEFAULT_FOLDER,
  objectKey,
  s3Key,
  s3SkippedNote,
  type LocationOverrides,
  type S3Switch,
  type Settings,
} from '@itemstore/config';
import { applySyncPlan, dryRunResult, type ApplyResult, type ClientFor } from './apply.js';
import { createS3Client, type S3ClientOptions } from './client.js';
import { describeLocation, locationId, type S3Location } from './location.js';
import {
  objectsToVerifyByContent,
  planSync,
  type DeletionsMode,
  type Listing,
  type SyncPlan,
} from './plan.js';
import { hashRemoteObjects, listLocation } from './remote.js';
import { syncReport, type SyncReport } from './report.js';
import { collectWanted, s3EntriesOf, tenantLocations, type S3Config, type Wanted } from './sources.js';

export const DEFAULT_CONCURRENCY = 16;
/** Listing pages in flight against a custom endpoint (see listPagesInFlight). */
export const ENDPOINT_LIST_PAGES = 2;

/**
 * How many listing pages (key ranges, see listLocation) are requested at once. AWS S3 serves pages in parallel and
 * each costs a round trip: the run's concurrency. A custom endpoint (an emulator, a self-hosted server) may build
 * pages on one thread: two, so it always has the next page to build while this process reads the last one, without
 * the cost of many at once (s3rver, 10,000 keys: its CPU per listing 1.9 s with 2 pages in flight, 2.3-3.4 s with
 * 16; a no-op full sync was fastest with 2).
 */
export function listPagesInFlight(endpoint: string | undefined, concurrency: number): number {
  return endpoint ? Math.min(ENDPOINT_LIST_PAGES, concurrency) : concurrency;
}

export interface SyncToS3Options {
  /** Sync the configs of a resolved manifest (resolve-tags' output)... */
  manifest?: ResolvedManifest;
  /** ...or every default/ config of the working tree at repoDir, like `aws s3 sync` of those folders. */
  full?: boolean;
  /** The config repo root. Defaults to the manifest's repoRoot/workingDirectory. Required with full. */
  repoDir?: string;
  /** Default: the first environment of item-store.yaml. */
  environment?: string;
  overrides?: LocationOverrides;
  /** An S3-compatible endpoint (path-style addressing). */
  endpoint?: string;
  credentials?: S3ClientOptions['credentials'];
  maxAttempts?: number;
  concurrency?: number;
  dryRun?: boolean;
  /**
   * Default `apply` with a manifest (delete the keys of configs deleted in git) and `skip` with full (an explicit
   * `apply` then deletes every object under the prefix that no config maps to).
   */
  deletions?: DeletionsMode;
  /** S3 has no branches: a manifest from a branch other than mainBranch writes S3 only when this is true. */
  allowFeatureBranch?: boolean;
  /**
   * The cutover switch (s3SyncSwitch): off makes the run stop before any request, its report saying what it skipped.
   * Absent means on (library callers and tests that write S3 on purpose).
   */
  s3Switch?: S3Switch;
  /**
   * Tests that seed qa or prod as if promotions had run set this; the CLI and the action never do (a sync writes only
   * the first environment).
   */
  seedAnyEnvironment?: boolean;
  /** For full runs: the branch the working tree is on, when known (the same guard as for manifests). */
  branch?: string;
  logger: Logger;
  /** Tests and callers with their own clients; otherwise one client per region from createS3Client. */
  clientFor?: ClientFor;
  onProgress?: (done: number, total: number) => void;
  /** Progress: listing and converting (no count yet), then one unit per write or deletion. */
  progress?: Progress;
}

export interface SyncToS3Result {
  report: SyncReport;
  /** Absent when the run stopped before planning (feature branch). */
  plan?: SyncPlan;
}

export async function syncToS3(options: SyncToS3Options): Promise<SyncToS3Result> {
  const { manifest, logger } = options;
  if (!manifest === !options.full) {
    throw new UsageError('Give either a manifest or full: true (not both, not neither).');
  }
  const repoDir = options.repoDir ?? (manifest ? configRootOf(manifest) : undefined);
  if (!repoDir) throw new UsageError('full: true needs the config repo directory.');
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const dryRun = options.dryRun ?? false;
  const deletions: DeletionsMode = options.deletions ?? (options.full ? 'skip' : 'apply');

  // A full run sizes every config (resolveTree) and then reads each one: one read serves both.
  const tree = new FsTree(repoDir, { keepBytes: Boolean(options.full) });
  const settings = await loadSettings(tree);
  // The environment gate: S3 qa and prod change only by promotion, like V2's.
  const environment = options.seedAnyEnvironment
    ? knownEnvironment(settings, options.environment || deployEnvironmentOf(settings))
    : gateDeployEnvironment(settings, options.environment, 'sync-s3');
  const branch = manifest?.branch ?? options.branch;
  const onMain = manifest ? manifest.isMainBranch : branch === undefined || branch === settings.mainBranch;
  const base = {
    mode: manifest ? ('manifest' as const) : ('full' as const),
    environment,
    dryRun,
    deletions,
    ...(branch === undefined ? {} : { branch }),
    ...(manifest?.headSha ? { commit: manifest.headSha } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };

  const notRunReason = whyNotRun(options, settings.mainBranch, onMain, branch);
  if (notRunReason) {
    logger.info(`S3 sync did not run: ${notRunReason}`);
    return { report: syncReport({ ...base, notRunReason }) };
  }

  // 1. Where each tenant's configs go, known before any config is read.
  const targets = targetsOf(settings, environment, options, deletions);
  const { clientFor, destroy } = regionClients(options, concurrency);

  const progress = options.progress ?? noProgress;
  const label = `${dryRun ? 'plan' : 'sync'} s3 ${environment}`;
  const planning = progress.start(`${label}: listing S3 and reading the configs`);
  const writes = progressCallback(progress, label, 'objects');
  try {
    // 2. One listing per prefix (started now, while the configs are still being read and validated). Once the keys
    // this run writes are known, the rest of each prefix is listed as key ranges in parallel (listLocation).
    // A full run walks the checkout's folders (in the thread pool) while the S3 client loads.
    if (!manifest) tree.list().catch(() => {}); // awaited, and its failure reported, in step 3
    let keysKnown: (keys: Map<string, string[]>) => void = () => {};
    const expectedKeys = new Promise<Map<string, string[]>>((resolve) => (keysKnown = resolve));
    const listingsPromise = startListings(
      targets.locations,
      clientFor,
      logger,
      expectedKeys,
      listPagesInFlight(options.endpoint, concurrency),
    );

    // 3. What we want: every config that will be written is read and converted first (one bad file and nothing
    // is written); a config whose bytes the bucket already holds is only hashed (see collectWanted).
    let wanted: Wanted;
    let listings: Listing[];
    try {
      let upserts: S3Config[] = [];
      try {
        if (!manifest) keysKnown(await checkoutKeys(tree, settings, targets.byTenant));
        upserts = manifest ? targets.upserts : await checkoutUpserts(tree, settings, branch, logger);
      } finally {
        keysKnown(keysByLocation(targets.byTenant, [...upserts, ...targets.deletes]));
      }
      // The configs are read and hashed while the listings are still coming in; whether a config's bytes are
      // already stored is answered once they are there.
      const storedEtags = listingsPromise.then((all) => {
        const byLocation = new Map(all.map((l) => [locationId(l.location), l.objects]));
        return (location: S3Location, key: string) => byLocation.get(locationId(location))?.get(key)?.etag;
      });
      storedEtags.catch(() => {}); // a failed listing is reported below, by listingsPromise
      wanted = await collectWanted({
        tree,
        locations: targets.byTenant,
        upserts,
        deletes: targets.deletes,
        ...(settings.maxConfigBytes === undefined ? {} : { maxBytes: settings.maxConfigBytes }),
        storedEtags,
      });
      listings = await listingsPromise;
    } catch (err) {
      // Let the listing finish before failing, so no request is left in flight behind the error.
      await listingsPromise.catch(() => {});
      throw err;
    }

    // 4. The few objects whose ETag is not an MD5: fetch and hash.
    const toHash = objectsToVerifyByContent(wanted.desired, listings);
    const remoteMd5 = await hashByContent(toHash, clientFor, concurrency);

    // 5. Plan, then apply.
    const plan = planSync({
      desired: wanted.desired,
      deletions: wanted.deletions,
      listings,
      remoteMd5,
      deletionsMode: deletions,
      full: Boolean(options.full),
    });
    planning.done();
    const result: ApplyResult = dryRun
      ? dryRunResult(plan)
      : await applySyncPlan(clientFor, plan, {
          concurrency,
          logger,
          onProgress: (done, total) => {
            writes.onProgress(done, total);
            options.onProgress?.(done, total);
          },
        });
    return {
      plan,
      report: syncReport({
        ...base,
        locations: [...targets.locations.values()],
        items: result.items,
        verifiedByContent: toHash.length,
        ...(onMain
          ? {}
          : {
              note: options.allowFeatureBranch
                ? `branch "${branch}" is not the main branch; written because allow-feature-branch is true`
                : `branch "${branch}" is not the main branch: a real run would not write S3 without allow-feature-branch`,
            }),
      }),
    };
  } finally {
    planning.done();
    writes.done();
    destroy();
  }
}

/** Why this run writes nothing (the S3 switch is off, or a feature branch without allow-feature-branch), if so. */
function whyNotRun(
  options: SyncToS3Options,
  mainBranch: string,
  onMain: boolean,
  branch: string | undefined,
): string | undefined {
  const { manifest } = options;
  if (options.s3Switch && !options.s3Switch.on) {
    const what = manifest
      ? (() => {
          const { upserts, deletes } = s3EntriesOf(manifest);
          return `${upserts.length} upload(s) and ${deletes.length} deletion(s) of this push's default/ configs`;
        })()
      : 'every default/ config of the checkout';
    return s3SkippedNote(options.s3Switch, what);
  }
  if (!onMain && !options.allowFeatureBranch && !options.dryRun) {
    return (
      `branch "${branch}" is not the main branch (${mainBranch}); S3 has no branches, so feature branches ` +
      'write S3 only when allow-feature-branch is true (a manual run).'
    );
  }
  return undefined;
}

interface Targets {
  /** A manifest's S3 entries (empty for a full run: its configs are read from the checkout in step 3). */
  upserts: S3Config[];
  deletes: S3Config[];
  byTenant: Map<string, S3Location>;
  /** Each prefix once. */
  locations: Map<string, S3Location>;
}

/**
 * Step 1: each tenant's S3 location (a manifest's tenants; for a full run every tenant's prefix, even one whose
 * configs are all gone). A full run that would delete below an empty prefix is refused here.
 */
function targetsOf(
  settings: Settings,
  environment: string,
  options: SyncToS3Options,
  deletions: DeletionsMode,
): Targets {
  const { manifest } = options;
  let upserts: S3Config[] = [];
  let deletes: S3Config[] = [];
  if (manifest) {
    if (manifest.errors.length) throw new ConfigErrors(manifest.errors.map((e) => ConfigError.fromJSON(e)));
    ({ upserts, deletes } = s3EntriesOf(manifest));
  }
  const tenants = manifest
    ? [...upserts, ...deletes].map((c) => c.tenant)
    : Object.values(settings.teams).map((t) => t.tenant);
  const byTenant = tenantLocations(settings, environment, options.overrides ?? {}, tenants);
  const locations = new Map<string, S3Location>();
  for (const l of byTenant.values()) locations.set(locationId(l), l);
  if (options.full && deletions === 'apply') {
    const root = [...locations.values()].find((l) => l.prefix === '');
    if (root) {
      throw new UsageError(
        `Refusing full: true with deletions: apply on ${describeLocation(root)}: the prefix is empty, so every object in the bucket would be a candidate for deletion. Set a prefix.`,
      );
    }
  }
  return { upserts, deletes, byTenant, locations };
}

/** The caller's clientFor, or one client per region (destroyed at the end of the run). */
function regionClients(
  options: SyncToS3Options,
  concurrency: number,
): { clientFor: ClientFor; destroy: () => void } {
  const clients = new Map<string, S3Client>();
  const clientFor: ClientFor =
    options.clientFor ??
    ((region) => {
      let c = clients.get(region);
      if (!c) {
        c = createS3Client({
          region,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
          ...(options.credentials ? { credentials: options.credentials } : {}),
          maxSockets: concurrency,
        });
        clients.set(region, c);
      }
      return c;
    });
  return { clientFor, destroy: () => clients.forEach((c) => c.destroy()) };
}

/** Step 2: one listing per prefix, started at once; a rejection is handled by whoever awaits it. */
function startListings(
  locations: Map<string, S3Location>,
  clientFor: ClientFor,
  logger: Logger,
  expectedKeys: Promise<Map<string, string[]>>,
  pagesInFlight: number,
): Promise<Listing[]> {
  const listingsPromise = Promise.all(
    [...locations.values()].map(async (l) => {
      logger.info(`Listing ${describeLocation(l)} (${l.region})`);
      const listing = await listLocation(clientFor(l.region), l, {
        expectedKeys: expectedKeys.then((byLocation) => byLocation.get(locationId(l)) ?? []),
        concurrency: pagesInFlight,
      });
      logger.debug(`${listing.objects.size} object(s) under ${describeLocation(l)}`);
      return listing;
    }),
  );
  // Validation may fail first; the listing's own failure must then not surface as an unhandled rejection.
  listingsPromise.catch(() => {});
  return listingsPromise;
}

/** The S3 keys of these configs by location (those of a tenant without a location are left to collectWanted). */
function keysByLocation(
  byTenant: Map<string, S3Location>,
  configs: readonly S3Config[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const cfg of configs) {
    const location = byTenant.get(cfg.tenant);
    if (!location) continue;
    const id = locationId(location);
    let keys = out.get(id);
    if (!keys) out.set(id, (keys = []));
    keys.push(s3Key(location, cfg));
  }
  return out;
}

/**
 * A full run's S3 keys as the checkout's file names give them, before anything is read or resolved (so the listing
 * can cut its key ranges at once). Only where the cuts fall depends on them: a file that later fails to resolve
 * just moves a cut, and every key under the prefix is listed whatever the cuts.
 */
async function checkoutKeys(
  tree: FsTree,
  settings: Settings,
  byTenant: Map<string, S3Location>,
): Promise<Map<string, string[]>> {
  // `<team>/default/<rest>` → `<team>/<rest>` with plain string steps (classifyPath and pathBelowDefault per file
  // cost ~0.1 s at 10,000 files, and resolveTree classifies every path anyway).
  const byLocation = new Map<string, string[]>();
  for (const f of await tree.list()) {
    const slash = f.path.indexOf('/');
    if (slash < 1 || f.kind !== 'file' || !f.path.startsWith(`${DEFAULT_FOLDER}/`, slash + 1)) continue;
    const team = f.path.slice(0, slash);
    const location = Object.hasOwn(settings.teams, team)
      ? byTenant.get(settings.teams[team]!.tenant)
      : undefined;
    if (!location) continue;
    const id = locationId(location);
    let keys = byLocation.get(id);
    if (!keys) byLocation.set(id, (keys = []));
    keys.push(objectKey(location, `${team}/${f.path.slice(slash + DEFAULT_FOLDER.length + 2)}`));
  }
  return byLocation;
}

/** Step 3 of a full run: the S3 configs of the checkout's `all` manifest (errors stop the run, warnings are logged). */
async function checkoutUpserts(
  tree: FsTree,
  settings: Settings,
  branch: string | undefined,
  logger: Logger,
): Promise<S3Config[]> {
  const all = await allConfigsManifest(tree, settings, {
    ...(branch === undefined ? {} : { branch }),
    headSha: 'working-tree',
    event: 'sync-s3',
    note: 'every default/ config of the checkout',
    logger,
  });
  return s3EntriesOf(all).upserts;
}

/** Step 4: the MD5 of each object whose ETag is not one, by region. */
async function hashByContent(
  toHash: ReturnType<typeof objectsToVerifyByContent>,
  clientFor: ClientFor,
  concurrency: number,
): Promise<Map<string, string>> {
  const remoteMd5 = new Map<string, string>();
  for (const region of new Set(toHash.map((o) => o.location.region))) {
    const some = toHash.filter((o) => o.location.region === region);
    for (const [k, v] of await hashRemoteObjects(clientFor(region), some, concurrency)) remoteMd5.set(k, v);
  }
  return remoteMd5;
}
