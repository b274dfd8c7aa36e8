import { type BackoffPolicy, backoffDelay } from "@ticketing/rpc/client";
import { isUnavailable } from "./client";
import type { Logger } from "./logger";
import { sleep } from "./sleep";

/**
 * The messages along an error's cause chain, each once: "fetch failed; connect
 * ECONNREFUSED 127.0.0.1:4000" says more in one line than a stack trace.
 */
export function describeFailure(error: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = error; current !== undefined && messages.length < 5; ) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !messages.some((seen) => seen.includes(message))) messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages.join("; ");
}

/**
 * Whether the API answers, shared by every job of the process so that an outage is logged
 * once when it starts and once when it ends, however many calls fail in between.
 */
export class ApiStatus {
  #outage: { since: number; failures: number } | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly apiUrl: string,
  ) {}

  get available(): boolean {
    return this.#outage === undefined;
  }

  answered(): void {
    if (!this.#outage) return;
    const { since, failures } = this.#outage;
    this.#outage = undefined;
    this.logger.info({ api: this.apiUrl, downForMs: Date.now() - since, failures }, "API available again");
  }

  failed(error: unknown): void {
    if (this.#outage) {
      this.#outage.failures += 1;
      return;
    }
    this.#outage = { since: Date.now(), failures: 1 };
    this.logger.warn(
      { api: this.apiUrl, reason: describeFailure(error) },
      "API unavailable: backing off and retrying until it answers",
    );
  }
}

/** The API stayed unavailable through every attempt allowed. */
export class ApiUnavailableError extends Error {
  override name = "ApiUnavailableError";
  constructor(
    apiUrl: string,
    attempts: number,
    override readonly cause: unknown,
  ) {
    super(`The API at ${apiUrl} did not answer after ${attempts} attempts: ${describeFailure(cause)}`);
  }
}

/** A stop was requested while waiting to retry. */
export class StopRequested extends Error {
  override name = "StopRequested";
}

/** How `callWithRetry` waits out an API that does not answer. */
export interface WaitOutOptions {
  status: ApiStatus;
  apiUrl: string;
  backoff: BackoffPolicy;
  /** Give up after this many attempts (ApiUnavailableError); unlimited when absent. */
  maxAttempts?: number;
  /** Aborting it ends the waiting (StopRequested); a call already sent still completes. */
  stop: AbortSignal;
}

/**
 * Calls the API, waiting out unavailability with backoff. Any answer, even an error about
 * the request itself, proves the API is up; such errors go to the caller unchanged.
 */
export async function callWithRetry<T>(call: () => Promise<T>, options: WaitOutOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await call();
      options.status.answered();
      return result;
    } catch (error) {
      if (!isUnavailable(error)) {
        options.status.answered();
        throw error;
      }
      options.status.failed(error);
      if (options.maxAttempts !== undefined && attempt + 1 >= options.maxAttempts) {
        throw new ApiUnavailableError(options.apiUrl, attempt + 1, error);
      }
      if (!(await sleep(backoffDelay(attempt, options.backoff), options.stop))) throw new StopRequested();
    }
  }
}
