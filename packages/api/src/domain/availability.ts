import { type Database, queryRows } from "@ticketing/db";
import { sql } from "drizzle-orm";

export type SeatStatus = "available" | "held" | "sold";

/** One logged change: these seats of this event now have this status. */
export interface SeatChange {
  position: number;
  eventId: string;
  status: SeatStatus;
  seatIds: string[];
}

/** The channel that announces newly sequenced changes; its payload is the last position. */
export const SEAT_CHANGES_CHANNEL = "seat_changes";

/**
 * The channel on which the database itself (triggers of migration 0003) announces changes to
 * events, their tiers and venues when they commit: event ids, comma-separated, or "*".
 */
export const EVENT_CHANGES_CHANNEL = "event_changes";

// Any constant works; every instance must use the same one.
const SEQUENCER_LOCK = 7_240_431_002;

type ChangeRow = { position: string | number; event_id: string; status: SeatStatus; seat_ids: string[] | string };

/** PGlite hands back uuid[] as an array; node-postgres as an array too, or "{…}" without a parser. */
function uuids(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, "");
  return inner === "" ? [] : inner.split(",");
}

const toChange = (row: ChangeRow): SeatChange => ({
  position: Number(row.position),
  eventId: row.event_id,
  status: row.status,
  seatIds: uuids(row.seat_ids),
});

/**
 * Gives positions to the changes that committed since the last run, in the order they were
 * written, and announces the last one. One sequencer runs at a time (an advisory lock), and
 * each run's statement sees every change committed before it started, so positions only
 * ever grow in the order they become visible: a reader that has seen position p will never
 * later find a change below p. Returns the last position given, or null when none was due.
 */
export async function sequenceSeatChanges(db: Database, limit = 1_000): Promise<number | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK})`);
    const [row] = await queryRows<{ last: string }>(
      tx,
      sql`WITH due AS (
            SELECT id, (SELECT coalesce(max(position), 0) FROM seat_changes) + row_number() OVER (ORDER BY id) AS position
            FROM seat_changes WHERE position IS NULL
            ORDER BY id LIMIT ${limit}
          ), sequenced AS (
            UPDATE seat_changes c SET position = due.position FROM due WHERE c.id = due.id RETURNING c.position
          )
          SELECT max(position)::text AS last, pg_notify(${SEAT_CHANGES_CHANNEL}, max(position)::text)
          FROM sequenced HAVING count(*) > 0`,
    );
    return row ? Number(row.last) : null;
  });
}

/** Whether changes wait for a position (a sequencer nudge was lost, or its instance died). */
export async function hasUnsequencedChanges(db: Database): Promise<boolean> {
  const [row] = await queryRows<{ due: boolean }>(
    db,
    sql`SELECT EXISTS (SELECT 1 FROM seat_changes WHERE position IS NULL) AS due`,
  );
  return row?.due ?? false;
}

/** The position of an event's latest sequenced change; 0 when it has none. */
export async function latestSeatChange(db: Database, eventId: string): Promise<number> {
  const [row] = await queryRows<{ position: string | null }>(
    db,
    sql`SELECT max(position)::text AS position FROM seat_changes WHERE event_id = ${eventId} AND position IS NOT NULL`,
  );
  return row?.position ? Number(row.position) : 0;
}

/** Sequenced changes after a position, oldest first: of one event, or of all. */
export async function readSeatChanges(
  db: Database,
  after: number,
  options: { eventId?: string; limit: number },
): Promise<SeatChange[]> {
  const rows = await queryRows<ChangeRow>(
    db,
    sql`SELECT position, event_id, status, seat_ids FROM seat_changes
        WHERE position > ${after} ${options.eventId ? sql`AND event_id = ${options.eventId}` : sql``}
        ORDER BY position LIMIT ${options.limit}`,
  );
  return rows.map(toChange);
}

/** The log's extent: the oldest position still kept and the newest given (null when empty). */
export async function seatChangeBounds(
  db: Database,
  eventId?: string,
): Promise<{ oldest: number | null; newest: number | null; newestOfEvent: number }> {
  const [row] = await queryRows<{ oldest: string | null; newest: string | null; newest_of_event: string | null }>(
    db,
    sql`SELECT (SELECT min(position) FROM seat_changes)::text AS oldest,
               (SELECT max(position) FROM seat_changes)::text AS newest,
               ${
                 eventId
                   ? sql`(SELECT max(position) FROM seat_changes WHERE event_id = ${eventId} AND position IS NOT NULL)::text`
                   : sql`NULL::text`
               } AS newest_of_event`,
  );
  const number = (value: string | null | undefined) => (value == null ? null : Number(value));
  return {
    oldest: number(row?.oldest),
    newest: number(row?.newest),
    newestOfEvent: number(row?.newest_of_event) ?? 0,
  };
}

/**
 * Deletes changes older than the retention, oldest positions first and never the newest
 * (so the kept positions stay contiguous, and a subscriber can tell it missed some).
 */
export async function purgeSeatChanges(db: Database, retentionMs: number, limit: number): Promise<number> {
  const [row] = await queryRows<{ purged: number }>(
    db,
    sql`WITH cutoff AS (
          SELECT least(
            (SELECT max(position) FROM seat_changes
             WHERE position IS NOT NULL AND created_at < now() - make_interval(secs => ${retentionMs / 1000})),
            (SELECT max(position) FROM seat_changes) - 1) AS position
        ), doomed AS (
          SELECT id FROM seat_changes, cutoff
          WHERE seat_changes.position <= cutoff.position
          ORDER BY seat_changes.position LIMIT ${limit}
        ), gone AS (
          DELETE FROM seat_changes WHERE id IN (SELECT id FROM doomed) RETURNING 1
        ) SELECT count(*)::int AS purged FROM gone`,
  );
  return row?.purged ?? 0;
}
