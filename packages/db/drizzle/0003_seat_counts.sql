CREATE TABLE "event_seat_counts" (
	"event_id" uuid NOT NULL,
	"section" text NOT NULL,
	"stripe" smallint NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"held" integer DEFAULT 0 NOT NULL,
	"sold" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "event_seat_counts_event_id_section_stripe_pk" PRIMARY KEY("event_id","section","stripe")
);
--> statement-breakpoint
ALTER TABLE "event_seat_counts" ADD CONSTRAINT "event_seat_counts_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_seats_holds_idx" ON "event_seats" USING btree ("event_id","hold_expires_at") WHERE "event_seats"."status" = 'held';--> statement-breakpoint
-- Seat counts follow every write to event_seats, in its transaction: one statement-level
-- trigger per kind of write, reading the statement's rows from its transition tables, adds
-- the net change per (event, section) to the writing session's stripe. The section of a seat
-- comes from venue_seats, whose rows no code changes once an event uses them.
CREATE FUNCTION "event_seat_counts_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO "event_seat_counts" AS c ("event_id", "section", "stripe", "total", "held", "sold")
		SELECT d."event_id", vs."section", (pg_backend_pid() % 16)::smallint, count(*),
		       count(*) FILTER (WHERE d."status" = 'held'), count(*) FILTER (WHERE d."status" = 'sold')
		FROM "added" d JOIN "venue_seats" vs ON vs."id" = d."seat_id"
		GROUP BY d."event_id", vs."section"
		ORDER BY 1, 2
		ON CONFLICT ("event_id", "section", "stripe") DO UPDATE
		SET "total" = c."total" + excluded."total", "held" = c."held" + excluded."held", "sold" = c."sold" + excluded."sold";
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO "event_seat_counts" AS c ("event_id", "section", "stripe", "total", "held", "sold")
		SELECT d."event_id", vs."section", (pg_backend_pid() % 16)::smallint, sum(d."n"),
		       sum(d."n" * (d."status" = 'held')::int), sum(d."n" * (d."status" = 'sold')::int)
		FROM (
			SELECT "event_id", "seat_id", "status", 1 AS "n" FROM "added"
			UNION ALL
			SELECT "event_id", "seat_id", "status", -1 AS "n" FROM "removed"
		) d JOIN "venue_seats" vs ON vs."id" = d."seat_id"
		GROUP BY d."event_id", vs."section"
		HAVING sum(d."n") <> 0 OR sum(d."n" * (d."status" = 'held')::int) <> 0 OR sum(d."n" * (d."status" = 'sold')::int) <> 0
		ORDER BY 1, 2
		ON CONFLICT ("event_id", "section", "stripe") DO UPDATE
		SET "total" = c."total" + excluded."total", "held" = c."held" + excluded."held", "sold" = c."sold" + excluded."sold";
	ELSE
		-- Seats of an event that is itself being deleted have no counts left to keep.
		INSERT INTO "event_seat_counts" AS c ("event_id", "section", "stripe", "total", "held", "sold")
		SELECT d."event_id", vs."section", (pg_backend_pid() % 16)::smallint, -count(*),
		       -count(*) FILTER (WHERE d."status" = 'held'), -count(*) FILTER (WHERE d."status" = 'sold')
		FROM "removed" d JOIN "venue_seats" vs ON vs."id" = d."seat_id" JOIN "events" e ON e."id" = d."event_id"
		GROUP BY d."event_id", vs."section"
		ORDER BY 1, 2
		ON CONFLICT ("event_id", "section", "stripe") DO UPDATE
		SET "total" = c."total" + excluded."total", "held" = c."held" + excluded."held", "sold" = c."sold" + excluded."sold";
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "event_seats_count_inserts" AFTER INSERT ON "event_seats"
	REFERENCING NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "event_seat_counts_apply"();
--> statement-breakpoint
CREATE TRIGGER "event_seats_count_updates" AFTER UPDATE ON "event_seats"
	REFERENCING NEW TABLE AS "added" OLD TABLE AS "removed" FOR EACH STATEMENT EXECUTE FUNCTION "event_seat_counts_apply"();
--> statement-breakpoint
CREATE TRIGGER "event_seats_count_deletes" AFTER DELETE ON "event_seats"
	REFERENCING OLD TABLE AS "removed" FOR EACH STATEMENT EXECUTE FUNCTION "event_seat_counts_apply"();
--> statement-breakpoint
-- The triggers exist (and this transaction holds their lock on event_seats) before the
-- counts of the seats already there are taken, so no write falls between the two.
INSERT INTO "event_seat_counts" ("event_id", "section", "stripe", "total", "held", "sold")
SELECT es."event_id", vs."section", 0, count(*),
       count(*) FILTER (WHERE es."status" = 'held'), count(*) FILTER (WHERE es."status" = 'sold')
FROM "event_seats" es JOIN "venue_seats" vs ON vs."id" = es."seat_id"
GROUP BY es."event_id", vs."section";
--> statement-breakpoint
-- Changes to what an event shows besides its seats (name, time, status, venue, prices) are
-- announced on "event_changes" when they commit: the payload is the changed events' ids,
-- comma-separated, or "*" for any number of them. Seat changes are announced by the
-- seat_changes sequencer instead (a NOTIFY in every booking would serialize their commits).
CREATE FUNCTION "event_changes_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	ids text[];
BEGIN
	IF TG_TABLE_NAME = 'events' THEN
		SELECT array_agg(DISTINCT "id"::text) INTO ids FROM "changed";
	ELSIF TG_TABLE_NAME = 'event_tiers' THEN
		SELECT array_agg(DISTINCT "event_id"::text) INTO ids FROM "changed";
	ELSIF EXISTS (SELECT 1 FROM "changed") THEN
		ids := ARRAY['*'];
	END IF;
	IF ids IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM pg_notify('event_changes', CASE WHEN cardinality(ids) > 100 THEN '*' ELSE array_to_string(ids, ',') END);
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "events_notify_inserts" AFTER INSERT ON "events"
	REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "event_changes_notify"();
--> statement-breakpoint
CREATE TRIGGER "events_notify_updates" AFTER UPDATE ON "events"
	REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "event_changes_notify"();
--> statement-breakpoint
CREATE TRIGGER "events_notify_deletes" AFTER DELETE ON "events"
	REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "event_changes_notify"();
--> statement-breakpoint
CREATE TRIGGER "event_tiers_notify_inserts" AFTER INSERT ON "event_tiers"
	REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "event_changes_notify"();
--> statement-breakpoint
CREATE TRIGGER "event_tiers_notify_updates" AFTER UPDATE ON "event_tiers"
	REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "event_changes_notify"();
--> statement-breakpoint
CREATE TRIGGER "event_tiers_notify_deletes" AFTER DELETE ON "event_tiers"
	REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "event_changes_notify"();
--> statement-breakpoint
CREATE TRIGGER "venues_notify_updates" AFTER UPDATE ON "venues"
	REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "event_changes_notify"();
