// Declared packages: the operator's list, exactly as entered.
import { asc, eq, sql } from 'drizzle-orm';
import { SpkError, type DeclaredPackage } from '@spk/common';
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
