import { rpcErrorCode } from "@ticketing/rpc/client";
import { type ApiStatus, callWithRetry } from "./api-status";
import type { ApiClient } from "./client";
import type { WorkerConfig } from "./config";
import type { Logger } from "./logger";

/** What every job works with: the client, the shared API status, and the stop signal. */
export interface Runtime {
  config: WorkerConfig;
  logger: Logger;
  api: ApiClient;
  status: ApiStatus;
  /** Aborted on SIGTERM/SIGINT: jobs finish the item in hand and return. */
  stop: AbortSignal;
  /** One API call, retried with backoff while the API is unavailable. */
  call<T>(run: (api: ApiClient) => Promise<T>): Promise<T>;
}

export function createRuntime(options: {
  config: WorkerConfig;
  logger: Logger;
  api: ApiClient;
  status: ApiStatus;
  stop: AbortSignal;
  /** Unlimited for the long-running worker; bounded for --once and the import. */
  maxAttempts?: number;
}): Runtime {
  const { config, logger, api, status, stop, maxAttempts } = options;
  const apiUrl = config.apiUrls.join(", ");
  return {
    config,
    logger,
    api,
    status,
    stop,
    call: (run) =>
      callWithRetry(() => run(api), {
        status,
        apiUrl,
        backoff: config.backoff,
        stop,
        ...(maxAttempts !== undefined && { maxAttempts }),
      }),
  };
}

/** The API refused the worker's credentials: no job can run until WORKER_TOKEN is fixed. */
export class CredentialsRefused extends Error {
  override name = "CredentialsRefused";
}

/** Turns UNAUTHORIZED/FORBIDDEN into CredentialsRefused; leaves every other error as it is. */
export function credentialsRefusal(error: unknown): CredentialsRefused | undefined {
  const code = rpcErrorCode(error);
  if (code !== "UNAUTHORIZED" && code !== "FORBIDDEN") return undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new CredentialsRefused(
    `The API refused the service account (${code}): ${reason} Check that WORKER_TOKEN matches the server's.`,
  );
}
