DROP INDEX "notifications_pending_idx";--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "last_error" text;--> statement-breakpoint
CREATE INDEX "notifications_pending_idx" ON "notifications" USING btree ("created_at") WHERE "notifications"."delivered_at" IS NULL AND "notifications"."failed_at" IS NULL;--> statement-breakpoint
-- Hand-written (not generated): venues.time_zone is added nullable, backfilled, then made
-- NOT NULL. drizzle-kit's own line, `ALTER TABLE "venues" ADD COLUMN "time_zone" text NOT NULL;`,
-- fails on a table that has rows. Cities the demo seed knows get their zone; any other
-- venue gets UTC, to be corrected by its organizer.
ALTER TABLE "venues" ADD COLUMN "time_zone" text;--> statement-breakpoint
UPDATE "venues" SET "time_zone" = CASE "city"
  WHEN 'Austin' THEN 'America/Chicago'
  WHEN 'Portland' THEN 'America/Los_Angeles'
  WHEN 'Manchester' THEN 'Europe/London'
  ELSE 'UTC'
END;--> statement-breakpoint
ALTER TABLE "venues" ALTER COLUMN "time_zone" SET NOT NULL;
