export { createS3Client, DEFAULT_MAX_ATTEMPTS, type S3ClientOptions } from './client.js';
export { describeLocation, locationId } from './location.js';
export {
  countPlan,
  isMultipartEtag,
  normalizeEtag,
  objectRef,
  objectsToVerifyByContent,
  planSync,
  type DeletionRequest,
  type DeletionsMode,
  type DesiredObject,
  type Listing,
  type PlanAction,
  type PlanCounts,
  type PlanItem,
  type RemoteObject,
  type SyncPlan,
  type SyncPlanInput,
} from './plan.js';
export { compareKeys, hashRemoteObjects, listLocation, PAGE_KEYS, type ListOptions } from './remote.js';
export {
  applySyncPlan,
  describeError,
  dryRunResult,
  type AppliedItem,
  type ApplyOptions,
  type ApplyResult,
  type ClientFor,
  type ItemStatus,
} from './apply.js';
export { contentTypeFor, renderForS3, type RenderInput, type RenderedObject } from './render.js';
export { collectWanted, s3EntriesOf, tenantLocations, type S3Config, type Wanted } from './sources.js';
export {
  actionLabel,
  countItems,
  syncLines,
  syncReport,
  syncSummary,
  syncCountsLine,
  SYNC_REPORT_VERSION,
  type ReportObject,
  type SyncCounts,
  type SyncReport,
} from './report.js';
export { syncToS3, DEFAULT_CONCURRENCY, type SyncToS3Options, type SyncToS3Result } from './sync.js';
export {
  convertLegacy,
  convertLegacyFiles,
  legacyPathsOf,
  normalizeRelative,
  type ConvertedFile,
  type LegacyDirection,
} from './legacy-files.js';
export { previewS3Writes, type S3Preview } from './preview.js';
