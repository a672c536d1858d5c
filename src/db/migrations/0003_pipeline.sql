CREATE TABLE "outbound_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" bigint NOT NULL,
	"decision_id" bigint NOT NULL,
	"episode" integer NOT NULL,
	"sequence" integer NOT NULL,
	"kind" text NOT NULL,
	"content" text NOT NULL,
	"is_private" boolean DEFAULT false NOT NULL,
	"echo_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"chatwoot_message_id" bigint,
	"last_error" text,
	"last_attempt_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reply_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" bigint NOT NULL,
	"episode" integer NOT NULL,
	"decision" text NOT NULL,
	"reason" text NOT NULL,
	"answered_message_ids" jsonb NOT NULL,
	"run_id" text,
	"job_id" text,
	"actions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reply_decisions" ADD CONSTRAINT "reply_decisions_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_messages_echo_id_key" ON "outbound_messages" USING btree ("echo_id");--> statement-breakpoint
CREATE INDEX "outbound_messages_conversation_status_idx" ON "outbound_messages" USING btree ("conversation_id","status");--> statement-breakpoint
CREATE INDEX "reply_decisions_conversation_idx" ON "reply_decisions" USING btree ("conversation_id","id");