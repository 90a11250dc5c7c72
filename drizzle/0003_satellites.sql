CREATE TABLE "satellites" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "host_status" ADD COLUMN "satellite" text;--> statement-breakpoint
ALTER TABLE "host_status" ADD COLUMN "agent_version" text;--> statement-breakpoint
ALTER TABLE "host_status" ADD COLUMN "hostname" text;--> statement-breakpoint
ALTER TABLE "host_status" ADD COLUMN "pull_blobs" integer;--> statement-breakpoint
ALTER TABLE "host_status" ADD COLUMN "pull_bytes" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "satellites_active_name" ON "satellites" USING btree ("name") WHERE "satellites"."revoked_at" is null;