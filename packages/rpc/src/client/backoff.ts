/** How waits grow between attempts: the first ceiling, and the cap of every later one. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * "Full jitter" exponential backoff: a random wait between 0 and base·2^attempt (attempt 0
 * is the wait before the first retry), capped at max. Spreading the waits keeps many clients
 * from retrying in lockstep against a server that is coming back up.
 */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffPolicy, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
