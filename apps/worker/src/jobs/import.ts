import { randomUUID } from "node:crypto";
import type { RouterOutputs } from "@ticketing/api";
import { rpcErrorCode } from "@ticketing/rpc/client";
import { TRPCClientError } from "@trpc/client";
import { StopRequested } from "../api-status";
import { declaredError } from "../client";
import { credentialsRefusal, type Runtime } from "../runtime";
import { sleep } from "../sleep";

export type ImportReport = RouterOutputs["importEvents"];
export type RowFailure = ImportReport["failed"][number];

/**
 * How long an upload may take, processing included. The server holds uploads to no
 * deadline of its own (they can outlast any per-call one); this is the worker's patience.
 */
const IMPORT_TIMEOUT_MS = 30 * 60_000;
/** How often the progress of a running upload is read. */
const PROGRESS_POLL_MS = 500;

/** The server could not import the feed (it is not a feed, or the upload was refused). */
export class ImportRefused extends Error {
  override name = "ImportRefused";
}

export interface ImportProgress {
  update(run: ImportReport): void;
}

/**
 * Uploads a feed to importEvents, which reads and imports it row by row as it streams in
 * (the Blob is read from disk as it is sent), and reports the import's progress meanwhile.
 * The import id is the upload's idempotency key: a retry after a lost connection sends the
 * same id, and the server answers with the first upload's report instead of importing
 * twice — or, if that upload is still being processed, the worker waits for its report.
 */
export async function importFeed(runtime: Runtime, feed: Blob, progress?: ImportProgress): Promise<ImportReport> {
  const importId = randomUUID();
  const watching = new AbortController();
  const watch = (async () => {
    let version = "";
    while (!watching.signal.aborted) {
      await sleep(PROGRESS_POLL_MS, watching.signal);
      if (watching.signal.aborted) break;
      try {
        const run = await runtime.api.getImport.query({ importId });
        const seen = `${run.rows}/${run.failedCount}`;
        if (seen !== version) {
          version = seen;
          progress?.update(run);
        }
      } catch {
        // Not started yet, or a blip: the upload's own answer is what counts.
      }
    }
  })();

  try {
    for (;;) {
      try {
        return await runtime.call((api) =>
          api.importEvents.mutate(feed, { context: { idempotencyKey: importId, timeoutMs: IMPORT_TIMEOUT_MS } }),
        );
      } catch (error) {
        if (error instanceof StopRequested || !(error instanceof TRPCClientError)) throw error;
        const refused = credentialsRefusal(error);
        if (refused && rpcErrorCode(error) === "UNAUTHORIZED") throw refused;
        // A retried upload whose first attempt the server is still finishing: wait for it.
        if (declaredError(error, "importEvents")?.reason === "IMPORT_RUNNING") {
          if (runtime.stop.aborted) throw new StopRequested();
          await sleep(PROGRESS_POLL_MS, runtime.stop);
          continue;
        }
        throw new ImportRefused(error.message);
      }
    }
  } finally {
    watching.abort();
    await watch;
  }
}

/** "row 3 (line 4, summer-gala-2026): startsAt must be …" */
export function describeFailure({ row, line, externalId, reason }: RowFailure): string {
  const where = [line !== undefined && `line ${line}`, externalId].filter(Boolean).join(", ");
  return `row ${row}${where ? ` (${where})` : ""}: ${reason}`;
}

export const summarize = ({
  created,
  updated,
  failedCount,
}: Pick<ImportReport, "created" | "updated" | "failedCount">) =>
  `${created} created, ${updated} updated, ${failedCount} failed`;
