ALTER TABLE "conversations" ADD COLUMN "reply_claim" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "reply_lease_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "reply_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "conversations_reply_due_idx" ON "conversations" USING btree ("reply_due_at") WHERE reply_due_at is not null;