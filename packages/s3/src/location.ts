import type { S3Location } from '@itemstore/config';

// Where a location comes from (item-store.yaml plus overrides) is @itemstore/config's resolveS3Location; this
// package only lists and writes it.
export type { S3Location };

/** Groups what is listed together: one listing per bucket and prefix. */
export function locationId(l: S3Location): string {
  return `${l.region}\u0000${l.bucket}\u0000${l.prefix}`;
}

export function describeLocation(l: S3Location): string {
  return `s3://${l.bucket}/${l.prefix}`;
}
