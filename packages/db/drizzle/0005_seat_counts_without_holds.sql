-- Hand-written beside drizzle-kit's DROP COLUMN: the counts keep every seat and the sold ones,
-- no longer the held ones. No read used the kept `held` (a read counts live holds from
-- event_seats_holds_idx, because a lapsed hold is available), yet every claim changed it: each
-- booking updated its section's counts row and held that row's lock until it committed, so
-- buyers of one section whose sessions share a stripe queued behind each other's commits.
-- Now a claim (available → held), a lapsed hold taken over (held → held) and the sweep
-- (held → available) change no count: the UPDATE trigger finds no net change and writes
-- nothing. Confirmations and cancellations of sold seats, inventory and deletions still do.
-- The function is replaced before the column goes, so no write meets the old body.
CREATE OR REPLACE FUNCTION "event_seat_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO "event_seat_counts" AS c ("event_id", "section", "stripe", "total", "sold")
		SELECT d."event_id", vs."section", (pg_backend_pid() % 16)::smallint, count(*),
		       count(*) FILTER (WHERE d."status" = 'sold')
		FROM "added" d JOIN "venue_seats" vs ON vs."id" = d."seat_id"
		GROUP BY d."event_id", vs."section"
		ORDER BY 1, 2
		ON CONFLICT ("event_id", "section", "stripe") DO UPDATE
		SET "total" = c."total" + excluded."total", "sold" = c."sold" + excluded."sold";
	ELSIF TG_OP = 'UPDATE' THEN
		-- A claim's rows net to nothing here (same seat, neither side sold): the HAVING drops
		-- them, so it inserts no row and takes no lock on the counts.
		INSERT INTO "event_seat_counts" AS c ("event_id", "section", "stripe", "total", "sold")
		SELECT d."event_id", vs."section", (pg_backend_pid() % 16)::smallint, sum(d."n"),
		       sum(d."n" * (d."status" = 'sold')::int)
		FROM (
			SELECT "event_id", "seat_id", "status", 1 AS "n" FROM "added"
			UNION ALL
			SELECT "event_id", "seat_id", "status", -1 AS "n" FROM "removed"
		) d JOIN "venue_seats" vs ON vs."id" = d."seat_id"
		GROUP BY d."event_id", vs."section"
		HAVING sum(d."n") <> 0 OR sum(d."n" * (d."status" = 'sold')::int) <> 0
		ORDER BY 1, 2
		ON CONFLICT ("event_id", "section", "stripe") DO UPDATE
		SET "total" = c."total" + excluded."total", "sold" = c."sold" + excluded."sold";
	ELSE
		-- Seats of an event that is itself being deleted have no counts left to keep.
		INSERT INTO "event_seat_counts" AS c ("event_id", "section", "stripe", "total", "sold")
		SELECT d."event_id", vs."section", (pg_backend_pid() % 16)::smallint, -count(*),
		       -count(*) FILTER (WHERE d."status" = 'sold')
		FROM "removed" d JOIN "venue_seats" vs ON vs."id" = d."seat_id" JOIN "events" e ON e."id" = d."event_id"
		GROUP BY d."event_id", vs."section"
		ORDER BY 1, 2
		ON CONFLICT ("event_id", "section", "stripe") DO UPDATE
		SET "total" = c."total" + excluded."total", "sold" = c."sold" + excluded."sold";
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
ALTER TABLE "event_seat_counts" DROP COLUMN "held";
