import { SpanStatusCode, trace } from "@opentelemetry/api";
import { rpcErrorCode } from "@ticketing/rpc/client";
import { type ApiStatus, callWithRetry, StopRequested } from "./api-status";
import type { ApiClient } from "./client";
import type { WorkerConfig } from "./config";
import type { Logger } from "./logger";
import type { MailTransport } from "./mail";

/** What every job works with: the client, the shared API status, and the stop signal. */
export interface Runtime {
  config: WorkerConfig;
  logger: Logger;
  api: ApiClient;
  status: ApiStatus;
  /** Where notifications are delivered: the outbox folder, or an SMTP relay. */
  mail: MailTransport;
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
  mail: MailTransport;
  stop: AbortSignal;
  /** Unlimited for the long-running worker; bounded for --once and the import. */
  maxAttempts?: number;
}): Runtime {
  const { config, logger, api, status, mail, stop, maxAttempts } = options;
  const apiUrl = config.apiUrls.join(", ");
  return {
    config,
    logger,
    api,
    status,
    mail,
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

const tracer = trace.getTracer("@ticketing/worker");

/**
 * Runs one run of a job as a trace of its own: the API calls it makes carry that trace's
 * context (packages/rpc's client sends the active one), so the server's spans, and its
 * statements, appear under the job run.
 */
export function traceJob<T>(job: string, run: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`job ${job}`, { root: true, attributes: { "ticketing.job": job } }, async (span) => {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof StopRequested)) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        span.setAttribute("error.type", error instanceof Error ? error.name : "error");
      }
      throw error;
    } finally {
      span.end();
    }
  });
}
