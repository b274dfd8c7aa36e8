import { sql } from "drizzle-orm";
import type { Database } from "./client";
import { queryRows } from "./query";

/** One section whose kept counts differ from a recount of its seats. */
export interface SeatCountMismatch {
  eventId: string;
  section: string;
  kept: { total: number; sold: number };
  recounted: { total: number; sold: number };
}

/**
 * Recounts every event's seats per section from `event_seats` and compares them with the
 * counts the triggers keep in `event_seat_counts` (summed over stripes). Empty: they agree.
 * It reads every seat, so it is for tests and operators, never for a request.
 */
export async function findSeatCountMismatches(db: Database): Promise<SeatCountMismatch[]> {
  const rows = await queryRows<{
    event_id: string;
    section: string;
    kept_total: number;
    kept_sold: number;
    total: number;
    sold: number;
  }>(
    db,
    sql`WITH kept AS (
          SELECT event_id, section, sum(total)::int AS total, sum(sold)::int AS sold
          FROM event_seat_counts GROUP BY event_id, section
        ), recounted AS (
          SELECT es.event_id, vs.section, count(*)::int AS total,
                 (count(*) FILTER (WHERE es.status = 'sold'))::int AS sold
          FROM event_seats es JOIN venue_seats vs ON vs.id = es.seat_id
          GROUP BY es.event_id, vs.section
        )
        SELECT coalesce(k.event_id, r.event_id) AS event_id, coalesce(k.section, r.section) AS section,
               coalesce(k.total, 0) AS kept_total, coalesce(k.sold, 0) AS kept_sold,
               coalesce(r.total, 0) AS total, coalesce(r.sold, 0) AS sold
        FROM kept k FULL JOIN recounted r ON r.event_id = k.event_id AND r.section = k.section
        WHERE coalesce(k.total, 0) <> coalesce(r.total, 0) OR coalesce(k.sold, 0) <> coalesce(r.sold, 0)
        ORDER BY 1, 2`,
  );
  return rows.map((row) => ({
    eventId: row.event_id,
    section: row.section,
    kept: { total: row.kept_total, sold: row.kept_sold },
    recounted: { total: row.total, sold: row.sold },
  }));
}
