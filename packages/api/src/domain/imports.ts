import { type Database, schema as t } from "@ticketing/db";
import { and, eq, or, sql } from "drizzle-orm";
import type { ImportRun } from "../schemas/imports";
import { DomainError, failed, notFound } from "./errors";
import { upsertEvent } from "./events";
import { checkRow, FeedError, type RowFailure, readFeedRows } from "./feed";
import { decideImportEvents, decideReadImport, ensureAllowed } from "./permissions";
import type { Viewer } from "./viewer";

/** Failed rows kept with an import (all of them are counted): a report, not a copy of the feed. */
const MAX_KEPT_FAILURES = 1_000;
/** A running import not heard from for this long is taken to be dead (its server stopped). */
const STALE_IMPORT_MS = 120_000;
/** While rows go in, progress is written at least this often, and whenever the feed pauses. */
const PROGRESS_INTERVAL_MS = 250;

/** The upload itself failed (too large, cut off): `cause` is what the transport said. */
export class UploadError extends Error {
  override name = "UploadError";
}

type Tally = { rows: number; created: number; updated: number; failedCount: number; failed: RowFailure[] };

type RunRow = typeof t.importRuns.$inferSelect;

const toRun = (row: RunRow): ImportRun => ({
  importId: row.id,
  status: row.status,
  rows: row.rows,
  created: row.created,
  updated: row.updated,
  failedCount: row.failedCount,
  failed: row.failures as RowFailure[],
  error: row.error,
  startedAt: row.createdAt,
  updatedAt: row.updatedAt,
  finishedAt: row.finishedAt,
});

async function findRun(db: Database, importId: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(t.importRuns).where(eq(t.importRuns.id, importId));
  return row;
}

/**
 * Registers an import under the id its client chose. The same id again is the same upload
 * (a retry): a finished import is answered with its report and not run again; one still
 * running is refused; one that failed, or whose server died, runs again (every row is an
 * upsert by externalId, so rows that went in the first time become updates).
 */
export async function beginImport(
  db: Database,
  viewer: Viewer,
  importId: string,
): Promise<{ kind: "run" } | { kind: "finished"; run: ImportRun }> {
  ensureAllowed(decideImportEvents(viewer));
  const [inserted] = await db
    .insert(t.importRuns)
    .values({ id: importId, ownerId: viewer.id })
    .onConflictDoNothing()
    .returning({ id: t.importRuns.id });
  if (inserted) return { kind: "run" };

  const existing = await findRun(db, importId);
  if (!existing || existing.ownerId !== viewer.id) {
    throw failed("IMPORT_ID_TAKEN", { importId }, `Import ${importId} is someone else's; choose a new import id.`);
  }
  if (existing.status === "done") return { kind: "finished", run: toRun(existing) };
  const [restarted] = await db
    .update(t.importRuns)
    .set({
      status: "running",
      rows: 0,
      created: 0,
      updated: 0,
      failedCount: 0,
      failures: [],
      error: null,
      version: sql`${t.importRuns.version} + 1`,
      updatedAt: sql`now()`,
      finishedAt: null,
    })
    .where(
      and(
        eq(t.importRuns.id, importId),
        or(
          eq(t.importRuns.status, "failed"),
          sql`${t.importRuns.updatedAt} < now() - make_interval(secs => ${STALE_IMPORT_MS / 1000})`,
        ),
      ),
    )
    .returning({ id: t.importRuns.id });
  if (!restarted) throw failed("IMPORT_RUNNING", { importId }, `Import ${importId} is still running.`);
  return { kind: "run" };
}

/**
 * Writes an import's counts, and its kept failures when `withFailures` (once the kept list is
 * full it no longer changes, and a feed of many bad rows would otherwise rewrite it on every
 * progress write).
 */
async function writeRun(
  db: Database,
  importId: string,
  tally: Tally,
  withFailures: boolean,
  end?: { status: "done" | "failed"; error: string | null },
): Promise<RunRow | undefined> {
  const [row] = await db
    .update(t.importRuns)
    .set({
      rows: tally.rows,
      created: tally.created,
      updated: tally.updated,
      failedCount: tally.failedCount,
      ...(withFailures && { failures: tally.failed }),
      version: sql`${t.importRuns.version} + 1`,
      updatedAt: sql`now()`,
      ...(end && { status: end.status, error: end.error, finishedAt: sql`now()` }),
    })
    .where(eq(t.importRuns.id, importId))
    .returning();
  return row;
}

/**
 * Reads the feed as it arrives and upserts each row by externalId, one at a time, so a feed
 * that names one event twice ends with its last row. A bad row is counted and reported
 * (row, CSV line, reason) and the rest go in. Progress is written to the import's row as it
 * goes, from this one flow of work: between rows, never during a row's transaction. A feed
 * that cannot be read further, a cut-off upload or a cancelled request ends the import as
 * failed, with the rows before it kept.
 */
export async function runImport(
  db: Database,
  viewer: Viewer,
  importId: string,
  chunks: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): Promise<ImportRun> {
  const tally: Tally = { rows: 0, created: 0, updated: 0, failedCount: 0, failed: [] };
  let dirty = false;
  let failuresChanged = false;
  let lastWrite = Date.now();
  const flush = async () => {
    if (!dirty) return;
    dirty = false;
    lastWrite = Date.now();
    await writeRun(db, importId, tally, failuresChanged);
    failuresChanged = false;
  };
  const fail = (failure: RowFailure) => {
    tally.failedCount += 1;
    if (tally.failed.length < MAX_KEPT_FAILURES) {
      tally.failed.push(failure);
      failuresChanged = true;
    }
  };

  try {
    for await (const feedRow of readFeedRows(flushingBeforeRead(chunks, flush))) {
      if (signal?.aborted) throw new UploadError("The upload was cancelled.");
      tally.rows += 1;
      const checked = checkRow(feedRow);
      if (!checked.ok) {
        const { ok: _, ...failure } = checked;
        fail(failure);
      } else {
        try {
          const { created } = await upsertEvent(db, viewer, checked.input);
          if (created) tally.created += 1;
          else tally.updated += 1;
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          fail({
            row: checked.row,
            ...(checked.line !== undefined && { line: checked.line }),
            externalId: checked.input.externalId,
            reason: error.message,
          });
        }
      }
      dirty = true;
      if (Date.now() - lastWrite >= PROGRESS_INTERVAL_MS) await flush();
    }
  } catch (error) {
    const known = error instanceof FeedError || error instanceof UploadError || error instanceof DomainError;
    const reason = known ? error.message : "The import stopped: the server could not finish it.";
    await writeRun(db, importId, tally, true, { status: "failed", error: reason });
    if (error instanceof FeedError) {
      const before = tally.rows === 0 ? "" : ` The ${tally.rows} rows before it were imported or reported.`;
      throw new DomainError("BAD_REQUEST", `${error.message}${before}`);
    }
    if (error instanceof UploadError && error.cause !== undefined) throw error.cause;
    throw error;
  }
  const row = await writeRun(db, importId, tally, true, { status: "done", error: null });
  if (!row) throw notFound(`Import ${importId}`);
  return toRun(row);
}

/** Passes chunks on, first saving progress whenever the next chunk has to be waited for. */
async function* flushingBeforeRead(
  chunks: AsyncIterable<Uint8Array>,
  flush: () => Promise<void>,
): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      await flush();
      const step = await iterator.next();
      if (step.done) return;
      yield step.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/** An import's progress or report, for its owner and admins. */
export async function getImport(db: Database, viewer: Viewer, importId: string): Promise<ImportRun> {
  const row = await findRun(db, importId);
  if (!row) throw notFound(`Import ${importId}`);
  ensureAllowed(decideReadImport(viewer, row.ownerId));
  return toRun(row);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/**
 * An import's progress as it changes, read from the database (so it follows an upload
 * served by any instance): every update after `afterVersion`, the latest state each time,
 * ending with the finished report. An import that does not exist yet is waited for: its
 * client may subscribe before its upload arrives.
 */
export async function* watchImport(
  db: Database,
  viewer: Viewer,
  importId: string,
  afterVersion: number | undefined,
  signal: AbortSignal,
  pollMs = PROGRESS_INTERVAL_MS,
): AsyncGenerator<{ version: number; run: ImportRun }> {
  let seen = afterVersion ?? 0;
  while (!signal.aborted) {
    const row = await findRun(db, importId);
    if (row) {
      ensureAllowed(decideReadImport(viewer, row.ownerId));
      if (row.version > seen) {
        seen = row.version;
        yield { version: row.version, run: toRun(row) };
      }
      if (row.status !== "running") return;
    }
    await pause(pollMs, signal);
  }
}
