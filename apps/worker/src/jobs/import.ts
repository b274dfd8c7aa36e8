import { randomUUID } from "node:crypto";
import { TRPCClientError } from "@trpc/client";
import { StopRequested } from "../api-status";
import { rpcCodeOf, withIdempotencyKey } from "../client";
import { checkRow, type FeedRow } from "../feed";
import { credentialsRefusal, type Runtime } from "../runtime";

export interface RowFailure {
  row: number;
  line?: number;
  externalId?: string;
  reason: string;
}

export interface ImportReport {
  total: number;
  created: number;
  updated: number;
  failed: RowFailure[];
  /** Rows not tried because the import stopped early (SIGTERM). */
  skipped: number;
}

export interface ImportProgress {
  row(report: ImportReport): void;
}

/**
 * Upserts each row by externalId, one at a time, so a feed that names one event twice
 * ends with its last row. Rows that fail the schema are reported without a call; rows the
 * server rejects are reported with its message. Running it again changes nothing new:
 * every row becomes an update. Each call carries an idempotency key unique to this run and
 * row, so a retry after a lost answer is replayed rather than applied twice.
 */
export async function importEvents(
  runtime: Runtime,
  rows: FeedRow[],
  progress?: ImportProgress,
): Promise<ImportReport> {
  const run = randomUUID();
  const report: ImportReport = { total: rows.length, created: 0, updated: 0, failed: [], skipped: 0 };
  for (const [index, feedRow] of rows.entries()) {
    if (runtime.stop.aborted) {
      report.skipped = rows.length - index;
      break;
    }
    const checked = checkRow(feedRow);
    if (!checked.ok) {
      const { ok: _, ...failure } = checked;
      report.failed.push(failure);
    } else {
      try {
        const { created } = await runtime.call((api) =>
          api.upsertEvent.mutate(checked.input, withIdempotencyKey(`import-${run}-${checked.row}`)),
        );
        if (created) report.created += 1;
        else report.updated += 1;
      } catch (error) {
        if (error instanceof StopRequested) {
          report.skipped = rows.length - index;
          break;
        }
        // No answer (ApiUnavailableError) or a refused token ends the import; anything else
        // the server said is about this row.
        if (!(error instanceof TRPCClientError)) throw error;
        if (rpcCodeOf(error) === "UNAUTHORIZED") throw credentialsRefusal(error);
        report.failed.push({
          row: checked.row,
          ...(checked.line !== undefined && { line: checked.line }),
          externalId: checked.input.externalId,
          reason: error.message,
        });
      }
    }
    progress?.row(report);
  }
  return report;
}

/** "row 3 (line 4, summer-gala-2026): startsAt must be …" */
export function describeFailure({ row, line, externalId, reason }: RowFailure): string {
  const where = [line !== undefined && `line ${line}`, externalId].filter(Boolean).join(", ");
  return `row ${row}${where ? ` (${where})` : ""}: ${reason}`;
}

export const summarize = ({ created, updated, failed }: ImportReport) =>
  `${created} created, ${updated} updated, ${failed.length} failed`;
