CREATE TABLE "install_scripts_allowed" (
	"name" text PRIMARY KEY NOT NULL,
	"allowed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registry_config" ADD COLUMN "settings" jsonb;