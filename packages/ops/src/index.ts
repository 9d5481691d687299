export {
  loadRepoItems,
  checkEnvironment,
  identityKey,
  isBranchItem,
  type RepoItem,
  type RepoSnapshot,
} from './repo-items.js';
export { S3Reader, MirrorReader, objectMd5, type ObjectReader, type S3ReaderOptions } from './object-side.js';
export {
  validate,
  s3Value,
  v2Value,
  DRIFT_STATUSES,
  isDrift,
  VALIDATE_REPORT_VERSION,
  type Against,
  type DriftStatus,
  type DriftCounts,
  type S3Side,
  type ValidateContext,
  type ValidateOptions,
  type ValidateReport,
  type ValidateRow,
} from './validate.js';
export {
  planFix,
  applyFix,
  withoutPayload,
  fixSubject,
  type FixAction,
  type FixActionRecord,
  type FixPlan,
  type FixResult,
  type FixSource,
  type V2WriteAction,
  type V2TombstoneAction,
  type S3UploadAction,
  type S3DeleteAction,
} from './fix.js';
export { originOf, TrailReader, MIGRATION_COMMIT, type Origin } from './trail.js';
export {
  promote,
  checkPromotionStep,
  PROMOTE_REPORT_VERSION,
  type PromoteAction,
  type PromoteEntry,
  type PromoteOptions,
  type PromoteOutcome,
  type PromoteReport,
} from './promote.js';
export {
  validateSummary,
  validateLines,
  validateCountsLine,
  fixPlanLines,
  fixSummary,
  promoteSummary,
  promoteLines,
  promoteCounts,
  promoteCountsLine,
  promoteOutcomeLabel,
  rowSubject,
  formatTags,
} from './summary.js';
export { s3SyncSwitch } from './switch.js';
export {
  cleanupBranch,
  cleanupSummary,
  cleanupLines,
  cleanupCountsLine,
  CLEANUP_REPORT_VERSION,
  type CleanupBranchOptions,
  type CleanupBranchReport,
  type CleanupEntry,
  type CleanupOutcome,
} from './cleanup-branch.js';
export {
  migrate,
  defaultFlagsFile,
  defaultRepoFrom,
  MIGRATE_STEPS,
  type EnvironmentSource,
  type EnvironmentDifference,
  type MigrateOptions,
  type MigrateReport,
  type MigrateStep,
} from './migrate/migrate.js';
export { deriveFlagRow, parseFlags, renderFlags, FLAGS_COLUMNS, type FlagRow } from './migrate/flags.js';
export {
  planLayout,
  writeLayout,
  repoPathOf,
  generatedTagsYaml,
  GENERATED_TAGS_HEADER,
  MIGRATION_STATE_FILE,
  type KeptFile,
} from './migrate/layout.js';
export { parseCsv, formatCsv } from './migrate/csv.js';
export {
  auditYaml11,
  yaml11AuditLines,
  type Yaml11AuditReport,
  type Yaml11AuditRow,
  type Yaml11AuditOptions,
} from './audit-yaml11.js';
export * from './plan-comment/index.js';
