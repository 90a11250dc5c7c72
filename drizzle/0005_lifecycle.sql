CREATE TABLE "blob_replicas" (
	"integrity" text NOT NULL,
	"store_id" text NOT NULL,
	"verified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "blob_replicas_integrity_store_id_pk" PRIMARY KEY("integrity","store_id")
);
--> statement-breakpoint
CREATE TABLE "gc_runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" text,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"blobs_deleted" integer DEFAULT 0 NOT NULL,
	"bytes_freed" bigint DEFAULT 0 NOT NULL,
	"blobs_marked" integer DEFAULT 0 NOT NULL,
	"history_pruned" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "storage_migrations" (
	"id" serial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"target" text NOT NULL,
	"status" text NOT NULL,
	"delete_source" boolean NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"total_bytes" bigint DEFAULT 0 NOT NULL,
	"bytes_done" bigint DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"resumed" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"requested_by" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "blob_index" ADD COLUMN "unreferenced_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "host_status" ADD COLUMN "disk" jsonb;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "committed_by" text;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "source" text DEFAULT 'install' NOT NULL;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "declared" jsonb;--> statement-breakpoint
ALTER TABLE "manifests" ADD COLUMN "pinned" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "gc_runs_started_at" ON "gc_runs" USING btree ("started_at");