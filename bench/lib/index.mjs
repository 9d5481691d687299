// Everything a case needs, from one import: `import { runCase, row, measureCommand, ... } from '../lib/index.mjs'`.
export { runCase, row, resources, caseOptions, log } from './case.mjs';
export { measureCommand, runMeasured, summarize, defaultRuns } from './measure.mjs';
export { startV2Server, startS3rver, S3RVER_CREDENTIALS } from './servers.mjs';
export { ensureAwsCli, ensureGnuTime, aptInstall, AWS_CLI, GNU_TIME } from './apt.mjs';
export {
  generateRepo,
  renderConfig,
  planRepo,
  TEAM_CATALOG,
  TENANTS,
  ENVIRONMENTS,
} from './synthetic-repo.mjs';
export { repoRoot, distDir, cliBundle, distBundle, requireBundle, casesDir } from './paths.mjs';
export { median, max, round } from './stats.mjs';
export { machineInfo } from './machine.mjs';
