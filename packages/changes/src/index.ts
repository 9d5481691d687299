export { PathFilter, DEFAULT_PATHS, type PathFilterOptions } from './filter.js';
export { GitTree, type GitTreeOptions } from './git-tree.js';
export { lsTree, parseLsTree, type GitTreeEntry } from './ls-tree.js';
export { diffTrees, parseRawDiff, type RawChange } from './diff.js';
export { buildEntries, allConfigs, type HeadFile } from './entries.js';
export { History, DEEPEN_STEPS } from './history.js';
export {
  planRange,
  branchOf,
  type EventContext,
  type RangeInputs,
  type RangePlan,
  type Range,
} from './range.js';
export { detectChanges, countChanges, type DetectOptions } from './detect.js';
export { changeSummary, describe, SUMMARY_ROW_LIMIT } from './summary.js';
export { readEventContext } from './event.js';
export { lastSuccessfulRunSha, type LastSuccessOptions } from './last-success.js';
