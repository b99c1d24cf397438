/** Poll intervals (config.subscriptions). */
export interface PollIntervals {
  /** While a job runs or a cluster is in transition. */
  activeIntervalMs: number;
  /** While nothing is expected to change. */
  idleIntervalMs: number;
  /** Upper bound of the exponential back-off after failures (a longer Retry-After still wins). */
  maxBackoffMs: number;
}

/** What the last poll produced. */
export type PollOutcome =
  | { ok: true; active: boolean }
  | { ok: false; /** consecutive failures, this one included (>= 1) */ failures: number; /** seconds, from Retry-After */ retryAfter: number | null };

/**
 * Milliseconds until the next poll. Success: the active or idle interval. Failure: the active
 * interval doubled per consecutive failure, capped at maxBackoffMs, and never shorter than
 * Retry-After.
 */
export function nextPollDelay(intervals: PollIntervals, outcome: PollOutcome): number {
  if (outcome.ok) return outcome.active ? intervals.activeIntervalMs : intervals.idleIntervalMs;
  const exponent = Math.min(outcome.failures, 30);
  const backoff = Math.min(intervals.maxBackoffMs, intervals.activeIntervalMs * 2 ** exponent);
  const retryAfterMs = outcome.retryAfter != null && outcome.retryAfter > 0 ? outcome.retryAfter * 1000 : 0;
  return Math.max(backoff, retryAfterMs);
}
