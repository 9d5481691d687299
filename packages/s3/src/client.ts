import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  region: string;
  /** An S3-compatible server (MinIO, s3rver, fauxqs). Implies path-style addressing. */
  endpoint?: string;
  /** Attempts per request, first try included, with the SDK's standard retry mode (backoff with jitter). */
  maxAttempts?: number;
  /** Explicit credentials (tests). Otherwise the SDK's default chain: env, OIDC web identity, profile, IMDS. */
  credentials?: S3ClientConfig['credentials'];
  /** Requests the caller keeps in flight: the keep-alive sockets per host (the SDK's default is 50). */
  maxSockets?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The one place an S3 client is made. Checksums are only added when an operation requires them: we send
 * Content-MD5 ourselves (so S3 verifies every upload), and without this the SDK streams bodies as aws-chunked with
 * a trailing CRC, which some S3-compatible servers store verbatim instead of the object's bytes.
 *
 * Not `cacheMiddleware: true`, although the SDK's per-send stack rebuild is about a third of its CPU per PutObject:
 * the cached handler shares one mutable context between concurrent sends (the endpoint middleware writes
 * context.endpointV2, which holds the bucket in path-style addressing), so requests to two buckets at once can
 * reach the wrong one (test/e2e/cutover.test.ts's validate read the other tenant's bucket and saw drift).
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    region: options.region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Keep-alive sockets, as many as requests in flight: each one is reused, none waits for a socket.
    ...(options.maxSockets
      ? {
          requestHandler: {
            httpAgent: { keepAlive: true, maxSockets: options.maxSockets },
            httpsAgent: { keepAlive: true, maxSockets: options.maxSockets },
          },
        }
      : {}),
  });
}
