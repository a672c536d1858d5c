CREATE TABLE "agent_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" bigint,
	"connection" text NOT NULL,
	"inbox_id" integer,
	"contact_id" bigint,
	"episode" integer,
	"source" text NOT NULL,
	"responder" text NOT NULL,
	"answered_message_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"global_settings_version" integer NOT NULL,
	"inbox_settings_version" integer NOT NULL,
	"passages" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tool_calls" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"output" jsonb NOT NULL,
	"decision_kind" text NOT NULL,
	"decision_reason" text NOT NULL,
	"is_grounded" boolean DEFAULT false NOT NULL,
	"provider" text,
	"model" text,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"latency_ms" integer NOT NULL,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_settings_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"connection" text NOT NULL,
	"inbox_id" integer,
	"version" integer NOT NULL,
	"overrides" jsonb NOT NULL,
	"patch" jsonb NOT NULL,
	"author" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_settings_versions_scope_key" UNIQUE NULLS NOT DISTINCT("connection","inbox_id","version")
);
--> statement-breakpoint
CREATE TABLE "contact_episode_summaries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contact_id" bigint NOT NULL,
	"conversation_id" bigint,
	"episode" integer NOT NULL,
	"summary" text NOT NULL,
	"method" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contact_facts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contact_id" bigint NOT NULL,
	"fact" text NOT NULL,
	"category" text NOT NULL,
	"conversation_id" bigint,
	"run_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agent_runs" ADD CONSTRAINT "agent_runs_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_runs" ADD CONSTRAINT "agent_runs_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_episode_summaries" ADD CONSTRAINT "contact_episode_summaries_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_episode_summaries" ADD CONSTRAINT "contact_episode_summaries_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_facts" ADD CONSTRAINT "contact_facts_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_facts" ADD CONSTRAINT "contact_facts_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_runs_conversation_idx" ON "agent_runs" USING btree ("conversation_id","episode","started_at");--> statement-breakpoint
CREATE INDEX "agent_runs_inbox_day_idx" ON "agent_runs" USING btree ("connection","inbox_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "contact_episode_summaries_episode_key" ON "contact_episode_summaries" USING btree ("conversation_id","episode");--> statement-breakpoint
CREATE INDEX "contact_episode_summaries_contact_idx" ON "contact_episode_summaries" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "contact_facts_fact_key" ON "contact_facts" USING btree ("contact_id","fact");