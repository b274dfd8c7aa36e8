CREATE TABLE "seat_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"position" bigint,
	"event_id" uuid NOT NULL,
	"status" "seat_status" NOT NULL,
	"seat_ids" uuid[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "seat_changes_position_key" ON "seat_changes" USING btree ("position");--> statement-breakpoint
CREATE INDEX "seat_changes_event_idx" ON "seat_changes" USING btree ("event_id","position") WHERE "seat_changes"."position" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "seat_changes_unsequenced_idx" ON "seat_changes" USING btree ("id") WHERE "seat_changes"."position" IS NULL;