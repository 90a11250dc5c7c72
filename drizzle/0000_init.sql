CREATE TABLE "blob_data" (
	"integrity" text PRIMARY KEY NOT NULL,
	"bytes" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "blob_index" (
	"integrity" text PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	"store_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "declared_packages" (
	"name" text PRIMARY KEY NOT NULL,
	"range" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "host_status" (
	"host_id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"lockfile_hash" text,
	"converged_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "install_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"lockfile_hash" text,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" jsonb,
	"progress" jsonb,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"committed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "manifests" (
	"lockfile_hash" text PRIMARY KEY NOT NULL,
	"manifest" jsonb NOT NULL,
	"total_size" bigint NOT NULL,
	"committed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_config" (
	"id" integer PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"token" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "size_caps" (
	"id" integer PRIMARY KEY NOT NULL,
	"warn_total_bytes" bigint NOT NULL,
	"block_total_bytes" bigint NOT NULL,
	"max_package_bytes" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "storage_config" (
	"id" integer PRIMARY KEY NOT NULL,
	"active_store" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "install_state" ADD CONSTRAINT "install_state_lockfile_hash_manifests_lockfile_hash_fk" FOREIGN KEY ("lockfile_hash") REFERENCES "public"."manifests"("lockfile_hash") ON DELETE no action ON UPDATE no action;