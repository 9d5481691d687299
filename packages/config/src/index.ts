export {
  SETTINGS_FILE,
  DEFAULT_MAX_CONFIG_BYTES,
  CONFIG_FORMATS,
  parseSettings,
  loadSettings,
  s3Location,
  s3Key,
  isMainBranch,
  settingsJsonSchema,
  type ConfigFormat,
  type Settings,
  type TeamSettings,
  type TenantSettings,
  type S3Location,
} from './settings.js';
export { FsTree } from './fs-tree.js';
export {
  classifyPath,
  isConfigPathShape,
  isTagsFile,
  configName,
  pathBelowDefault,
  CONFIG_EXTENSIONS,
  TAGS_FILE_NAMES,
  DEFAULT_FOLDER,
  type FileClass,
} from './paths.js';
export {
  parseTagsFile,
  itemIdentity,
  sortTags,
  tagKeyProblem,
  tagValueProblem,
  TAG_KEY_PATTERN,
  TAG_VALUE_MAX_LENGTH,
  RESERVED_TAGS,
  type Tags,
  type TagsFile,
} from './tags.js';
export {
  resolveTree,
  formatTags,
  normalizeRepoPath,
  type ResolvedConfig,
  type ResolveOptions,
  type ResolveResult,
} from './resolve.js';
