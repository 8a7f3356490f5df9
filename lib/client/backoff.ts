/** Reconnect delays: exponential backoff with full jitter. */

/** @publicApi */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * The delay before reconnect attempt `attempt` (1 for the first retry):
 * `random() * min(maxMs, baseMs * 2 ** (attempt - 1))`.
 * Full jitter (rather than a jittered fixed delay) spreads a crowd of clients that lost the same
 * server over the whole window, so they do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  // Clamp: a test double or a poor generator may return 1 or slightly out of range.
  const r = Math.min(1, Math.max(0, random()));
  return Math.floor(r * ceiling);
}
