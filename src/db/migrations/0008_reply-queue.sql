ALTER TABLE "conversations" ADD COLUMN "reply_claim" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "reply_lease_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "reply_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "reply_queued" boolean GENERATED ALWAYS AS (reply_due_at is not null) STORED;--> statement-breakpoint
CREATE INDEX "conversations_reply_queue_idx" ON "conversations" USING btree ("id") WHERE reply_queued;