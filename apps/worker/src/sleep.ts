import { setTimeout as delay } from "node:timers/promises";

/** Waits `ms`, or less if `signal` aborts first; says whether the whole wait passed. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
