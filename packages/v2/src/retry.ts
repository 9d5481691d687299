/** Retry policy for calls to Item Store V2: exponential backoff with full jitter, honouring Retry-After. */
export interface RetryPolicy {
  /** Retries after the first attempt (so `retries + 1` attempts in all). */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After the client agrees to wait; longer ones are capped. */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 8,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: Math.random,
};

/** Statuses worth another attempt: throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The delay before retry number `attempt` (0-based). Full jitter (a random share of the exponential ceiling), so
 * many clients that failed together do not come back together; a server's Retry-After is a floor.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.floor(policy.random() * ceiling);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(Math.min(retryAfterMs, policy.maxRetryAfterMs), jittered);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The socket or TLS error code under a fetch failure (`ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`, …). */
export function networkErrorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | null;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    if (typeof e.code === 'string' && e.code !== 'UND_ERR_SOCKET') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** Failures another attempt cannot fix: a host name that does not exist, a certificate that does not verify. */
export function isPermanentNetworkCode(code: string | undefined): boolean {
  if (!code) return false;
  return (
    code === 'ENOTFOUND' ||
    code === 'ERR_INVALID_URL' ||
    /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_SSL_)/.test(
      code,
    )
  );
}

/**
 * Connection-level failures (refused, reset, DNS lookups that failed for now, socket closed) and timeouts: the
 * request may not have arrived. A host name that does not exist and TLS certificate failures are not retried.
 */
export function isRetryableNetworkError(err: unknown): boolean {
  // Duck-typed, not instanceof: fetch's errors may come from another realm (undici's own, or a test VM's).
  const e = err as { name?: unknown; message?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  if (e.name === 'TimeoutError') return true;
  if (isPermanentNetworkCode(networkErrorCode(err))) return false;
  // undici's fetch throws `TypeError: fetch failed` with the socket error as `cause`.
  return e.name === 'TypeError' && /fetch failed|terminated|other side closed/i.test(String(e.message));
}
