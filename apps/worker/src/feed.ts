import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { type UpsertEventInput, upsertEventInput } from "@ticketing/api/schemas";
import { CsvError, parse } from "csv-parse/sync";
import type { z } from "zod";

/** The feed cannot be read at all (missing, not JSON/CSV, wrong columns): nothing is imported. */
export class FeedError extends Error {
  override name = "FeedError";
}

/**
 * One row of a feed as written, with where it sits: its number among the rows, and its
 * line in a CSV file. `problem` is set when its shape is already wrong (not an object, too
 * few cells).
 */
export interface FeedRow {
  row: number;
  line?: number;
  fields: Record<string, unknown>;
  problem?: string;
}

/** What upsertEvent is sent: the schema's input side (startsAt as an ISO string). */
export type EventRow = z.input<typeof upsertEventInput>;

export type CheckedRow =
  | { ok: true; row: number; line?: number; input: EventRow }
  | { ok: false; row: number; line?: number; externalId?: string; reason: string };

/** The columns a row may have, as upsertEvent names them; the first four are required. */
const strictRow = upsertEventInput.strict();
const COLUMNS = Object.keys(upsertEventInput.shape) as (keyof UpsertEventInput)[];
const REQUIRED = COLUMNS.filter((column) => !upsertEventInput.shape[column].safeParse(undefined).success);

/** Reads a JSON (array of rows) or CSV (header row) feed, chosen by the file's extension. */
export async function readFeed(path: string): Promise<FeedRow[]> {
  const kind = extname(path).toLowerCase();
  if (kind !== ".json" && kind !== ".csv") {
    throw new FeedError(`${basename(path)}: a feed is a .json or .csv file`);
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FeedError(code === "ENOENT" ? `${path}: no such file` : `${path}: cannot be read (${code})`);
  }
  return kind === ".json" ? jsonRows(text, basename(path)) : csvRows(text, basename(path));
}

function jsonRows(text: string, name: string): FeedRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new FeedError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) throw new FeedError(`${name} must hold a JSON array of rows`);
  return data.map((item: unknown, index) =>
    typeof item === "object" && item !== null && !Array.isArray(item)
      ? { row: index + 1, fields: { ...item } }
      : { row: index + 1, fields: {}, problem: `is ${JSON.stringify(item) ?? "undefined"}, not an object` },
  );
}

function csvRows(text: string, name: string): FeedRow[] {
  const records: { cells: string[]; line: number }[] = [];
  // csv-parse reports the line a record ends on; it starts after the previous record and
  // any blank lines skipped since, which matters when a quoted field spans lines.
  let previous = { lines: 0, emptyLines: 0 };
  try {
    // One line end throughout: csv-parse counts a CRLF inside quotes as two lines.
    parse(text.replace(/\r\n/g, "\n"), {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (cells, context) => {
        records.push({ cells, line: previous.lines + 1 + context.empty_lines - previous.emptyLines });
        previous = { lines: context.lines, emptyLines: context.empty_lines };
        return null;
      },
    });
  } catch (error) {
    if (error instanceof CsvError) throw new FeedError(`${name} is not valid CSV: ${error.message}`);
    throw error;
  }
  const [header, ...body] = records;
  if (!header) throw new FeedError(`${name} is empty: a CSV feed starts with a header row`);
  const columns = header.cells.map((cell) => cell.trim());
  const known = new Map(COLUMNS.map((column) => [column.toLowerCase(), column]));
  const mapped = columns.map((column) => {
    const match = known.get(column.toLowerCase());
    if (!match) throw new FeedError(`${name}: unknown column "${column}" (columns: ${COLUMNS.join(", ")})`);
    return match;
  });
  const missing = REQUIRED.filter((column) => !mapped.includes(column));
  if (missing.length > 0) throw new FeedError(`${name}: the header lacks ${missing.join(", ")}`);
  const repeated = mapped.find((column, index) => mapped.indexOf(column) !== index);
  if (repeated) throw new FeedError(`${name}: the column ${repeated} appears twice`);

  return body.map(({ cells, line }, index) => {
    // An empty cell is an absent value, so optional columns may be left blank.
    const fields = Object.fromEntries(mapped.flatMap((column, i) => (cells[i]?.trim() ? [[column, cells[i]]] : [])));
    const problem =
      cells.length === mapped.length ? undefined : `has ${cells.length} fields; the header has ${mapped.length}`;
    return { row: index + 1, line, fields, ...(problem && { problem }) };
  });
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return !path || issue.message.startsWith(path) ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}

/**
 * Checks a row against upsertEvent's own input schema before anything is sent, so a bad
 * row is reported with a precise reason and costs no call.
 */
export function checkRow({ row, line, fields, problem }: FeedRow): CheckedRow {
  const where = { row, ...(line !== undefined && { line }) };
  const externalId = typeof fields.externalId === "string" ? fields.externalId : undefined;
  const rejected = (reason: string): CheckedRow => ({ ok: false, ...where, ...(externalId && { externalId }), reason });
  if (problem) return rejected(problem);
  const absent = REQUIRED.filter(
    (column) => fields[column] === undefined || fields[column] === null || fields[column] === "",
  );
  if (absent.length > 0) return rejected(absent.map((column) => `${column} is required`).join("; "));
  const parsed = strictRow.safeParse(fields);
  if (!parsed.success) return rejected(describeIssues(parsed.error.issues));
  return { ok: true, ...where, input: { ...parsed.data, startsAt: parsed.data.startsAt.toISOString() } };
}
