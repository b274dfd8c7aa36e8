import { TRPCError, type TRPCRouterRecord, tracked } from "@trpc/server";
import { octetInputParser } from "@trpc/server/http";
import * as imports from "../domain/imports";
import { decideImportEvents, ensureAllowed } from "../domain/permissions";
import { importIdInput, importProgressInput, importRunOutput } from "../schemas/imports";
import { withRpcErrors } from "../trpc/errors";
import { authedProcedure, uploadProcedure } from "../trpc/procedures";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The upload's bytes as they arrive. A failure of the upload itself (over the size cap, the
 * connection cut) becomes an UploadError carrying what the transport said, so the import
 * records why it stopped and the caller gets the transport's own error (413, say).
 */
async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await reader.read();
      } catch (error) {
        const message =
          error instanceof TRPCError && error.code === "PAYLOAD_TOO_LARGE"
            ? error.message
            : "The upload was cut off before its end.";
        throw new imports.UploadError(message, { cause: error });
      }
      if (step.done) return;
      yield step.value;
    }
  } finally {
    reader.releaseLock();
  }
}

export const importProcedures = {
  /**
   * Bulk import: the body is the feed itself (application/octet-stream; a JSON array of rows
   * or CSV with a header row), read and imported row by row while it uploads. The
   * Idempotency-Key header is the import's id, a UUID the client chooses so that it can
   * follow the progress (getImport, onImportProgress) before this call answers; sending the
   * same upload again with it returns the first report instead of importing twice.
   */
  importEvents: uploadProcedure
    .input(octetInputParser)
    .output(importRunOutput)
    .mutation(async ({ ctx, input, signal }) => {
      // Who may import is settled before anything about the request's shape.
      try {
        ensureAllowed(decideImportEvents(ctx.viewer));
      } catch (error) {
        await input.cancel().catch(() => {});
        throw error;
      }
      const importId = ctx.idempotencyKey;
      if (importId === undefined || !UUID.test(importId)) {
        await input.cancel().catch(() => {});
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: "importEvents needs an Idempotency-Key header: a UUID that names the import.",
        });
      }
      const start = await imports.beginImport(ctx.db, ctx.viewer, importId.toLowerCase());
      if (start.kind === "finished") {
        await input.cancel().catch(() => {});
        ctx.onReplay?.();
        return start.run;
      }
      return imports.runImport(ctx.db, ctx.viewer, importId.toLowerCase(), chunksOf(input), signal);
    }),

  getImport: authedProcedure
    .input(importIdInput)
    .output(importRunOutput)
    .query(({ ctx, input }) => imports.getImport(ctx.db, ctx.viewer, input.importId)),

  /**
   * Server-sent events: an import's progress, each update tracked by its version, ending
   * with the report. It may start before the upload does, and it works on any instance.
   */
  onImportProgress: authedProcedure.input(importProgressInput).subscription(async function* ({ ctx, input, signal }) {
    const after = input.lastEventId ? Number(input.lastEventId) : undefined;
    const updates = imports.watchImport(
      ctx.db,
      ctx.viewer,
      input.importId,
      after,
      signal ?? new AbortController().signal,
    );
    for await (const { version, run } of withRpcErrors(updates)) yield tracked(String(version), run);
  }),
} satisfies TRPCRouterRecord;
