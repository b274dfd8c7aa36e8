import { sql } from "drizzle-orm";
import type { Database } from "./client";

/**
 * Gives an event its venue's default price tiers and one available inventory row per
 * seat of the venue's map, in two set-based statements. Rows that exist are kept.
 */
export async function createEventInventory(db: Database, eventId: string, venueId: string): Promise<void> {
  await db.execute(sql`
    INSERT INTO event_tiers (event_id, tier, name, price_cents)
    SELECT ${eventId}, tier, name, price_cents FROM venue_tiers WHERE venue_id = ${venueId}
    ON CONFLICT DO NOTHING`);
  await db.execute(sql`
    INSERT INTO event_seats (event_id, seat_id)
    SELECT ${eventId}, id FROM venue_seats WHERE venue_id = ${venueId}
    ON CONFLICT DO NOTHING`);
}
