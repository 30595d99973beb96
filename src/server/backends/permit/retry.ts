import { setTimeout as delay } from "node:timers/promises";
import { PermitCallError } from "./failure.js";

/** How failed calls are retried. `sleep` is injectable so tests of backoff do not wait. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 5000,
  sleep: (ms) => delay(ms),
};

/**
 * Runs `call` until it succeeds, fails for good, or the attempts run out. A 429 is always retried (Permit
 * refused it before doing anything); a 5xx or a timeout only when `isIdempotent`, since the first attempt
 * may have been carried out and repeating a create would file a second request.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  isIdempotent: boolean,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= policy.attempts || !shouldRetry(error, isIdempotent)) throw error;
      await policy.sleep(backoff(policy, attempt, error));
    }
  }
}

function shouldRetry(error: unknown, isIdempotent: boolean): boolean {
  if (!(error instanceof PermitCallError)) return false;
  const { isTransient, mayHaveApplied } = error.failure;
  return isTransient && (isIdempotent || !mayHaveApplied);
}

/** Exponential from baseDelayMs, or Permit's Retry-After when it named one, capped at maxDelayMs. */
function backoff(policy: RetryPolicy, attempt: number, error: unknown): number {
  const asked = error instanceof PermitCallError ? error.failure.retryAfterMs : undefined;
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(asked ?? exponential, policy.maxDelayMs);
}
