export { resolveManifest, describeIdentityChange, type ResolveManifestOptions } from './resolve-manifest.js';
export type { ContentCheckOptions } from './content-check.js';
export { resolveSummary, RESOLVE_SUMMARY_ROW_LIMIT } from './summary.js';
export { openTrees } from './io.js';
