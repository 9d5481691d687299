/** The cutover switch lives in the environment gate (@itemstore/config); re-exported for the ops callers. */
export { s3SyncSwitch, type S3Switch } from '@itemstore/config';
