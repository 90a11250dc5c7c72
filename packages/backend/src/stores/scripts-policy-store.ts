// The install-scripts policy: the package names whose lifecycle scripts (preinstall, install,
// postinstall) hosts may run. Off for every package until an admin allows it by name; the
// installer reads it when it builds the manifest, so a change takes effect at the next install.
import { asc, eq } from 'drizzle-orm';
import { packageNameSchema, SpkError } from '@spk/common';
import type { Db } from '../db/database.ts';
import { installScriptsAllowed } from '../db/schema.ts';
import type { Clock } from '../services.ts';

export interface AllowedScripts {
  name: string;
  allowedAt: string;
}

/** A name the policy can hold: npm's rules, as for a declaration (a misspelt name would allow nothing). */
function checkedName(name: string): string {
  const parsed = packageNameSchema.safeParse(name);
  if (!parsed.success) throw new SpkError('INVALID_INPUT', parsed.error.issues[0]?.message ?? `"${name}" is not a valid npm package name`, { name });
  return parsed.data;
}

export function createScriptsPolicyStore(db: Db, clock: Clock) {
  return {
    /** Allowed names, by name. */
    async list(): Promise<AllowedScripts[]> {
      const rows = await db.select().from(installScriptsAllowed).orderBy(asc(installScriptsAllowed.name));
      return rows.map((row) => ({ name: row.name, allowedAt: row.allowedAt.toISOString() }));
    },

    /** What the installer marks: the allowed names. */
    async allowedNames(): Promise<Set<string>> {
      const rows = await db.select({ name: installScriptsAllowed.name }).from(installScriptsAllowed);
      return new Set(rows.map((row) => row.name));
    },

    /** Idempotent: allowing an allowed name keeps when it was first allowed. */
    async allow(name: string): Promise<void> {
      await db
        .insert(installScriptsAllowed)
        .values({ name: checkedName(name), allowedAt: clock.now() })
        .onConflictDoNothing({ target: installScriptsAllowed.name });
    },

    /** NOT_FOUND for a name that is not allowed: a misspelt name must not look like it stopped anything. */
    async disallow(name: string): Promise<void> {
      const rows = await db.delete(installScriptsAllowed).where(eq(installScriptsAllowed.name, checkedName(name))).returning({ name: installScriptsAllowed.name });
      if (rows.length === 0) {
        throw new SpkError('NOT_FOUND', `"${name}" is not allowed to run install scripts, so there is nothing to disallow; list the allowed names with "spk packages scripts"`, { name });
      }
    },
  };
}

export type ScriptsPolicyStore = ReturnType<typeof createScriptsPolicyStore>;
