import { DomainError } from "./errors";

/** Keyset cursors: the sort key of the last row seen, opaque to clients. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString("base64url");
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const date = new Date(String(at));
    if (
      typeof at === "string" &&
      typeof id === "string" &&
      !Number.isNaN(date.getTime()) &&
      /^[0-9a-f-]{36}$/i.test(id)
    ) {
      return { at: date, id };
    }
  } catch {
    // Falls through to the error below: a cursor we did not make.
  }
  throw new DomainError("BAD_REQUEST", "The cursor is not valid; start again without one.");
}
