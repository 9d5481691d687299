/**
 * The one interface the suite talks to Item Store V2 through (SPEC §5). The HTTP client implements it; a different
 * real API needs one adapter that implements it too.
 */
import type { Tags } from '@itemstore/config';

/** What a version records about where its content came from. */
export interface VersionMetadata {
  /** Who wrote it: GITHUB_ACTOR in a workflow, the local user for the CLI. */
  actor?: string;
  commit?: string;
  branch?: string;
  path?: string;
  runUrl?: string;
  [key: string]: string | undefined;
}

/** The latest version of an item in one environment. */
export interface EnvironmentState {
  /** The latest version number; also the number of versions this environment holds (versions are 1, 2, 3, …). */
  version: number;
  /** Hex MD5 of the latest version's content (the MD5 of the empty string for a tombstone). */
  md5: string;
  /** True when the latest version is a tombstone. */
  deleted: boolean;
  updatedAt: string;
  metadata: VersionMetadata;
  /**
   * The commit of the newest unchanged write that confirmed this content (a later commit holding the same bytes,
   * e.g. a revert). The stale rule compares with it rather than with `metadata.commit`.
   */
  confirmedBy?: string;
  confirmedAt?: string;
}

export interface Item {
  itemId: string;
  namespace: string;
  tags: Tags;
  environments: Record<string, EnvironmentState>;
}

export interface ItemRef {
  itemId: string;
  tags: Tags;
}

export interface SearchPage {
  items: ItemRef[];
  nextPageToken?: string;
}

export interface Contents {
  content: string;
  md5: string;
  version: number;
}

export interface PutOptions {
  metadata?: VersionMetadata;
  /** Write only when the latest version's MD5 is this (`If-Match`); otherwise the store answers 412. */
  ifMatch?: string;
  /** Write only when the environment holds no version yet (`If-None-Match: *`). */
  ifNoneMatch?: boolean;
  /** The content's MD5 (hex), when the caller has it already (the plan does); computed otherwise. */
  md5?: string;
}

export interface WriteResult {
  version: number;
  md5: string;
  /** True when nothing was written because the content already equals the latest version. */
  unchanged: boolean;
}

export interface PromoteOptions {
  fromEnvironment: string;
  /** The source version; the source's latest when absent. */
  version?: number;
  metadata?: VersionMetadata;
}

/** One version of an item in one environment, with its audit record (`GET .../versions`, newest first). */
export interface VersionInfo {
  version: number;
  md5: string;
  deleted: boolean;
  createdAt: string;
  metadata: VersionMetadata;
  confirmedBy?: string;
}

export interface ManifestEntry {
  itemId: string;
  namespace: string;
  tags: Tags;
  version: number;
  md5: string;
  deleted: boolean;
  /** The latest version's `metadata.commit`, when it has one. */
  commit?: string;
  /** See EnvironmentState.confirmedBy. */
  confirmedBy?: string;
}

export interface ManifestPage {
  items: ManifestEntry[];
  nextPageToken?: string;
}

export interface ItemStore {
  /** The same namespace and tags always give the same id; `created` is true only for the call that made it. */
  generateId(namespace: string, tags: Tags): Promise<{ itemId: string; created: boolean }>;
  /**
   * `generateId` for many tag sets of one namespace, answers in the same order. The HTTP client sends them in
   * batches of at most GENERATE_IDS_MAX (one request each), so a deploy of 1,000 new configs costs one request for
   * their ids instead of 1,000.
   */
  generateIds(namespace: string, tags: readonly Tags[]): Promise<{ itemId: string; created: boolean }[]>;
  /** Items of a namespace whose tags include every given tag. One page; see `searchAll`. */
  search(namespace: string, tags: Tags, options?: { pageToken?: string }): Promise<SearchPage>;
  /** One item, or undefined when there is none with this id. */
  getItem(itemId: string): Promise<Item | undefined>;
  /** A version's content (the latest when `version` is absent), or undefined when absent or a tombstone. */
  getContents(itemId: string, environment: string, version?: number): Promise<Contents | undefined>;
  /** Makes `content` the latest version; equal content answers `unchanged` and writes nothing. */
  putContents(
    itemId: string,
    environment: string,
    content: string,
    options?: PutOptions,
  ): Promise<WriteResult>;
  /** Writes a tombstone version; a latest version that is already a tombstone answers `unchanged`. */
  deleteItem(
    itemId: string,
    environment: string,
    options?: { metadata?: VersionMetadata; ifMatch?: string },
  ): Promise<WriteResult>;
  /** Copies a version of another environment as a new latest version of `environment` (unchanged when equal). */
  promote(itemId: string, environment: string, options: PromoteOptions): Promise<WriteResult>;
  /** The latest version of every item in an environment, a page at a time. */
  manifest(
    environment: string,
    options?: { namespace?: string; pageToken?: string; pageSize?: number },
  ): Promise<ManifestPage>;
  /** Every version of an item in an environment, newest first; empty when it has none there. */
  versions(itemId: string, environment: string): Promise<VersionInfo[]>;
  health(): Promise<{ ok: boolean }>;
}

/** Most tag sets in one `items:batchGenerateId` request. */
export const GENERATE_IDS_MAX = 1000;

/** MD5 of the empty string: what a tombstone's `md5` holds. */
export const TOMBSTONE_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** Every page of a search. */
export async function searchAll(store: ItemStore, namespace: string, tags: Tags): Promise<ItemRef[]> {
  const all: ItemRef[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.search(namespace, tags, pageToken ? { pageToken } : {});
    all.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}

/** Every page of an environment's manifest. */
export async function manifestAll(
  store: ItemStore,
  environment: string,
  namespace?: string,
): Promise<ManifestEntry[]> {
  const all: ManifestEntry[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.manifest(environment, {
      pageSize: 1000,
      ...(namespace ? { namespace } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    all.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}

/** The item whose tags are exactly `tags` (search matches supersets: a branch item also has main's tags). */
export async function findExact(
  store: ItemStore,
  namespace: string,
  tags: Tags,
): Promise<ItemRef | undefined> {
  return (await searchAll(store, namespace, tags)).find((i) => sameTags(i.tags, tags));
}

export function sameTags(a: Tags, b: Tags): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}
