export * from './types.js';
export * from './client.js';
export * from './retry.js';
export * from './scopes.js';
export {
  startServer,
  MAX_BODY_BYTES,
  type ServerOptions,
  type RunningServer,
  type TokenSpec,
  type FaultRule,
  type RouteName,
} from './server/server.js';
export { itemIdFor } from './server/database.js';
export {
  prepareDeploy,
  planDeploy,
  decide,
  diffAgainstLatest,
  type ConvertToV2,
  type IsAncestor,
  type PlannedStatus,
  type PlannedEntry,
  type DeployPlan,
  type LatestVersion,
} from './deploy/plan.js';
export { applyDeployPlan, type DeployOutcome, type DeployResult, type ApplyOptions } from './deploy/apply.js';
export { gitIsAncestor } from './deploy/ancestry.js';
export {
  deployReport,
  deploySummary,
  deployLines,
  deployCountsLine,
  outcomeLabel,
  formatTags,
  validationSummary,
  countOutcomes,
  planAsResults,
  DEPLOY_REPORT_VERSION,
  type DeployCounts,
  type DeployReport,
} from './deploy/report.js';
export { deployToV2, runUrlFromEnv, actorFromEnv, type DeployOptions } from './deploy/deploy.js';
