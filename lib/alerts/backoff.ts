// When a failed delivery is tried again: exponential backoff with full
// jitter (many deliveries failing at once must not retry in lockstep),
// capped per step, and given up after ALERTS_MAX_RETRY_HOURS.

export const FIRST_RETRY_MS = 10_000;
export const MAX_STEP_MS = 3_600_000;

/** The delay before attempt n + 1 after n failed attempts (n ≥ 1); `random` in [0, 1). */
export function retryDelayMs(failedAttempts: number, random: number): number {
  const step = Math.min(MAX_STEP_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1));
  // Half fixed, half jitter: never sooner than step / 2, never later than step.
  return Math.round(step / 2 + (random * step) / 2);
}

/** Next attempt time, or null when the delivery should be marked failed. */
export function nextAttemptAt(
  createdAt: number,
  now: number,
  failedAttempts: number,
  maxRetryMs: number,
  random: number = Math.random(),
): number | null {
  const next = now + retryDelayMs(failedAttempts, random);
  return next - createdAt > maxRetryMs ? null : next;
}
