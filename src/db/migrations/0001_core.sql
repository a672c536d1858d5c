CREATE TABLE "contacts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connection" text NOT NULL,
	"account_id" integer NOT NULL,
	"chatwoot_contact_id" integer NOT NULL,
	"name" text,
	"email" text,
	"phone_number" text,
	"identifier" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connection" text NOT NULL,
	"account_id" integer NOT NULL,
	"chatwoot_conversation_id" integer NOT NULL,
	"inbox_id" integer NOT NULL,
	"contact_id" bigint,
	"status" text NOT NULL,
	"assignee_type" text,
	"assignee_id" integer,
	"team_id" integer,
	"labels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"owner" text DEFAULT 'bot' NOT NULL,
	"owner_reason" text DEFAULT 'new_conversation' NOT NULL,
	"episode" integer DEFAULT 1 NOT NULL,
	"bot_turns_in_episode" integer DEFAULT 0 NOT NULL,
	"last_answered_message_id" bigint,
	"first_unanswered_at" timestamp with time zone,
	"chatwoot_updated_at" timestamp (6) with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ownership_transitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" bigint NOT NULL,
	"from_owner" text NOT NULL,
	"to_owner" text NOT NULL,
	"episode" integer NOT NULL,
	"event" text NOT NULL,
	"reason" text NOT NULL,
	"delivery_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transcript_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" bigint NOT NULL,
	"chatwoot_message_id" bigint NOT NULL,
	"role" text NOT NULL,
	"content" text,
	"content_type" text DEFAULT 'text' NOT NULL,
	"is_private" boolean DEFAULT false NOT NULL,
	"sender_type" text,
	"sender_id" integer,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"episode" integer NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connection" text NOT NULL,
	"delivery_id" text,
	"dedupe_key" text NOT NULL,
	"event" text NOT NULL,
	"classification" text NOT NULL,
	"account_id" integer,
	"inbox_id" integer,
	"conversation_id" integer,
	"chatwoot_message_id" bigint,
	"signed" boolean NOT NULL,
	"outcome" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_transitions" ADD CONSTRAINT "ownership_transitions_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "transcript_messages" ADD CONSTRAINT "transcript_messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_chatwoot_key" ON "contacts" USING btree ("connection","account_id","chatwoot_contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_chatwoot_key" ON "conversations" USING btree ("connection","account_id","chatwoot_conversation_id");--> statement-breakpoint
CREATE INDEX "ownership_transitions_conversation_idx" ON "ownership_transitions" USING btree ("conversation_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "transcript_messages_chatwoot_key" ON "transcript_messages" USING btree ("conversation_id","chatwoot_message_id");--> statement-breakpoint
CREATE INDEX "transcript_messages_conversation_idx" ON "transcript_messages" USING btree ("conversation_id","chatwoot_message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_delivery_id_key" ON "webhook_deliveries" USING btree ("connection","delivery_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_dedupe_key" ON "webhook_deliveries" USING btree ("connection","dedupe_key");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_conversation_idx" ON "webhook_deliveries" USING btree ("connection","account_id","conversation_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_received_at_idx" ON "webhook_deliveries" USING btree ("received_at");