import { CsvError, type Info, parse } from "csv-parse/sync";
import type { z } from "zod";
import { type UpsertEventInput, upsertEventInput } from "../schemas/events";

/** The feed cannot be read as a whole (not JSON or CSV, wrong columns): reading stops here. */
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

export interface RowFailure {
  row: number;
  line?: number;
  externalId?: string;
  reason: string;
}

export type CheckedRow =
  | { ok: true; row: number; line?: number; input: UpsertEventInput }
  | ({ ok: false } & RowFailure);

/** The columns a row may have, as upsertEvent names them; the first four are required. */
const strictRow = upsertEventInput.strict();
const FEED_COLUMNS = Object.keys(upsertEventInput.shape) as (keyof UpsertEventInput)[];
const REQUIRED = FEED_COLUMNS.filter((column) => !upsertEventInput.shape[column].safeParse(undefined).success);

/** Text of a byte stream, decoded across chunk boundaries; a leading BOM is dropped. */
async function* textOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for await (const chunk of chunks) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (error) {
    if (error instanceof TypeError) throw new FeedError("The feed is not UTF-8 text.");
    throw error;
  }
}

/**
 * Reads a feed as it arrives, one row at a time, never holding more than the row in hand:
 * a JSON array of row objects, or CSV with a header row (told apart by the first character).
 */
export async function* readFeedRows(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<FeedRow> {
  const text = textOf(chunks);
  let first = "";
  // Find the first character that is not white space to tell the format.
  for (;;) {
    const step = await text.next();
    if (step.done) throw new FeedError("The feed is empty: send a JSON array of rows or CSV with a header row.");
    first += step.value;
    first = first.replace(/^\uFEFF/, "");
    if (first.trimStart()) break;
  }
  async function* replayed(): AsyncGenerator<string> {
    yield first;
    yield* text;
  }
  const opening = first.trimStart().charAt(0);
  if (opening === "[" || opening === "{") yield* jsonRows(replayed());
  else yield* csvRows(replayed());
}

const WHITE_SPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * The elements of a JSON array, each parsed on its own as soon as its text is complete:
 * a scanner tracks strings and nesting to find where one element ends.
 */
async function* jsonRows(text: AsyncIterable<string>): AsyncGenerator<FeedRow> {
  // Before the array's "[", between elements, inside one, after the closing "]".
  let state = "start" as "start" | "open" | "element" | "closed";
  let element = "";
  let start = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let row = 0;

  const finish = (source: string, end: number): FeedRow => {
    element += source.slice(start, end);
    row += 1;
    let item: unknown;
    try {
      item = JSON.parse(element);
    } catch (error) {
      throw new FeedError(`The feed is not valid JSON at row ${row}: ${(error as Error).message}`);
    }
    element = "";
    return typeof item === "object" && item !== null && !Array.isArray(item)
      ? { row, fields: { ...item } }
      : { row, fields: {}, problem: `is ${JSON.stringify(item) ?? "undefined"}, not an object` };
  };

  for await (const chunk of text) {
    start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charAt(i);
      if (state === "element") {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === "\\") escaped = true;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if (c === "{" || c === "[") depth++;
        else if ((c === "}" || c === "]") && depth > 0) depth--;
        else if (depth === 0 && (c === "," || c === "]")) {
          yield finish(chunk, i);
          state = c === "," ? "open" : "closed";
        }
        continue;
      }
      if (WHITE_SPACE.has(c)) continue;
      if (state === "closed") throw new FeedError("The feed has text after its JSON array.");
      if (state === "start") {
        if (c === "[") state = "open";
        else throw new FeedError("The feed must hold a JSON array of rows.");
        continue;
      }
      // state "open": an element starts here (or the array ends, if it is empty).
      if (c === "]" && row === 0) {
        state = "closed";
        continue;
      }
      state = "element";
      start = i;
      element = "";
      i -= 1;
    }
    if (state === "element") element += chunk.slice(start);
  }
  if (state !== "closed") throw new FeedError("The feed is not valid JSON: the array is not closed.");
}

type CsvRecord = { cells: string[]; line: number };

/** Parses whole records of CSV text (no record cut off at the end), numbering lines from `firstLine`. */
function parseCsvBlock(text: string, firstLine: number): CsvRecord[] {
  const records: CsvRecord[] = [];
  // csv-parse reports the line a record ends on; it starts after the previous record and
  // any blank lines skipped since, which matters when a quoted field spans lines.
  let previous = { lines: 0, emptyLines: 0 };
  try {
    parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (cells: string[], context: Info) => {
        const line = previous.lines + 1 + context.empty_lines - previous.emptyLines;
        records.push({ cells, line: firstLine - 1 + line });
        previous = { lines: context.lines, emptyLines: context.empty_lines };
        return null;
      },
    });
  } catch (error) {
    if (error instanceof CsvError) throw new FeedError(`The feed is not valid CSV: ${error.message}`);
    throw error;
  }
  return records;
}

/**
 * CSV rows as the text arrives. The text is cut after the last line end that is outside
 * quotes (a quote toggles quoting; an escaped quote toggles it twice), and each complete
 * block is parsed at once: a record is handed out as soon as its line has ended.
 */
async function* csvRows(text: AsyncIterable<string>): AsyncGenerator<FeedRow> {
  let mapped: (keyof UpsertEventInput)[] | undefined;
  let row = 0;
  let pending = "";
  let scanned = 0;
  let quoted = false;
  let nextLine = 1;
  let carriedReturn = false;

  const rowsOf = function* (records: CsvRecord[]): Generator<FeedRow> {
    for (const { cells, line } of records) {
      if (!mapped) {
        mapped = headerOf(cells);
        continue;
      }
      row += 1;
      const columns = mapped;
      // An empty cell is an absent value, so optional columns may be left blank.
      const fields = Object.fromEntries(columns.flatMap((column, i) => (cells[i]?.trim() ? [[column, cells[i]]] : [])));
      const problem =
        cells.length === columns.length ? undefined : `has ${cells.length} fields; the header has ${columns.length}`;
      yield { row, line, fields, ...(problem && { problem }) };
    }
  };
  const take = (end: number): CsvRecord[] => {
    const block = pending.slice(0, end);
    pending = pending.slice(end);
    scanned -= end;
    const records = parseCsvBlock(block, nextLine);
    for (let i = block.indexOf("\n"); i !== -1; i = block.indexOf("\n", i + 1)) nextLine++;
    return records;
  };

  for await (const chunk of text) {
    // One line end throughout: csv-parse counts a CRLF inside quotes as two lines. A CR at
    // the end of a chunk waits for the next one, which may start with its LF.
    let normal: string = (carriedReturn ? "\r" : "") + chunk;
    carriedReturn = normal.endsWith("\r");
    if (carriedReturn) normal = normal.slice(0, -1);
    pending += normal.replace(/\r\n/g, "\n");
    let cut = -1;
    for (; scanned < pending.length; scanned++) {
      const c = pending.charAt(scanned);
      if (c === '"') quoted = !quoted;
      else if (c === "\n" && !quoted) cut = scanned + 1;
    }
    if (cut !== -1) yield* rowsOf(take(cut));
  }
  if (carriedReturn) pending += "\r";
  if (pending) yield* rowsOf(take(pending.length));
  if (!mapped) throw new FeedError("The feed is empty: a CSV feed starts with a header row.");
}

function headerOf(cells: string[]): (keyof UpsertEventInput)[] {
  const columns = cells.map((cell) => cell.trim());
  const known = new Map(FEED_COLUMNS.map((column) => [column.toLowerCase(), column]));
  const mapped = columns.map((column) => {
    const match = known.get(column.toLowerCase());
    if (!match)
      throw new FeedError(`The feed has an unknown column "${column}" (columns: ${FEED_COLUMNS.join(", ")}).`);
    return match;
  });
  const missing = REQUIRED.filter((column) => !mapped.includes(column));
  if (missing.length > 0) throw new FeedError(`The feed's header lacks ${missing.join(", ")}.`);
  const repeated = mapped.find((column, index) => mapped.indexOf(column) !== index);
  if (repeated) throw new FeedError(`The feed's column ${repeated} appears twice.`);
  return mapped;
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
 * Checks a row against upsertEvent's own input schema, so a bad row is reported with a
 * precise reason and never reaches the database.
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
  return { ok: true, ...where, input: parsed.data };
}
