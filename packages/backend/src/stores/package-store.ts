// Declared packages: the operator's list, exactly as entered.
import { asc, eq, notInArray, sql } from 'drizzle-orm';
import { SpkError, type DeclaredPackage, type DeclaredSnapshotEntry } from '@spk/common';
import type { Db } from '../db/database.ts';
import { declaredPackages } from '../db/schema.ts';
import type { Clock } from '../services.ts';

type Row = typeof declaredPackages.$inferSelect;

const toApi = (row: Row): DeclaredPackage => ({
  name: row.name,
  range: row.range,
  enabled: row.enabled,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const notFound = (name: string) =>
  new SpkError('NOT_FOUND', `package "${name}" is not declared; list the declared packages with "spk packages list"`, { name });

export const alreadyDeclared = (name: string) =>
  new SpkError('ALREADY_EXISTS', `package "${name}" is already declared; change its range with "spk packages set" instead`, { name });

/**
 * Makes `entries` the declared set, on `db` (a transaction, so it lands with the state it belongs
 * to): names not in it are removed, the others get its range and enabled flag (keeping createdAt).
 */
export async function replaceDeclaredSet(db: Db, entries: readonly DeclaredSnapshotEntry[], at: Date): Promise<void> {
  const names = entries.map((entry) => entry.name);
  await db.delete(declaredPackages).where(names.length > 0 ? notInArray(declaredPackages.name, names) : undefined);
  if (entries.length === 0) return;
  await db
    .insert(declaredPackages)
    .values(entries.map((entry) => ({ name: entry.name, range: entry.range, enabled: entry.enabled, createdAt: at, updatedAt: at })))
    .onConflictDoUpdate({
      target: declaredPackages.name,
      set: { range: sql`excluded.range`, enabled: sql`excluded.enabled`, updatedAt: at },
      // A package the restored set leaves as it was keeps its updatedAt.
      setWhere: sql`(${declaredPackages.range}, ${declaredPackages.enabled}) is distinct from (excluded.range, excluded.enabled)`,
    });
}

export function createPackageStore(db: Db, clock: Clock) {
  return {
    async list(): Promise<DeclaredPackage[]> {
      return (await db.select().from(declaredPackages).orderBy(asc(declaredPackages.name))).map(toApi);
    },

    async listEnabled(): Promise<DeclaredPackage[]> {
      const rows = await db.select().from(declaredPackages).where(eq(declaredPackages.enabled, true)).orderBy(asc(declaredPackages.name));
      return rows.map(toApi);
    },

    async add(input: { name: string; range: string; enabled: boolean }): Promise<DeclaredPackage> {
      const now = clock.now();
      const [row] = await db
        .insert(declaredPackages)
        .values({ ...input, createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: declaredPackages.name })
        .returning();
      if (!row) throw alreadyDeclared(input.name);
      return toApi(row);
    },

    /** Declared packages whose name equals `name` but for letter case, `name` itself included. */
    async findIgnoringCase(name: string): Promise<DeclaredPackage[]> {
      // Valid package names are ASCII, so lower() and toLowerCase() agree.
      const rows = await db.select().from(declaredPackages).where(sql`lower(${declaredPackages.name}) = ${name.toLowerCase()}`);
      return rows.map(toApi);
    },

    async update(input: { name: string; range?: string | undefined; enabled?: boolean | undefined }): Promise<DeclaredPackage> {
      const changes: Partial<Row> = { updatedAt: clock.now() };
      if (input.range !== undefined) changes.range = input.range;
      if (input.enabled !== undefined) changes.enabled = input.enabled;
      const [row] = await db.update(declaredPackages).set(changes).where(eq(declaredPackages.name, input.name)).returning();
      if (!row) throw notFound(input.name);
      return toApi(row);
    },

    async remove(name: string): Promise<DeclaredPackage> {
      const [row] = await db.delete(declaredPackages).where(eq(declaredPackages.name, name)).returning();
      if (!row) throw notFound(name);
      return toApi(row);
    },
  };
}

export type PackageStore = ReturnType<typeof createPackageStore>;
