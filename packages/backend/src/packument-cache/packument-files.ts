// The packument cache's files: per entry a body (the registry's JSON as it arrived) and a small meta
// (the validators the registry gave, the body's sha256 and length), each written to a temp file and
// renamed, the meta last, in a directory private to the server's user. A crash leaves no meta, or a
// meta whose body is whole; a body that does not match its meta is removed and reads as absent. No
// request header is ever stored, so no credential reaches the disk; entries are named by a digest.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readFileIfPresent, sweepStaleTemps, writeFileAtomically } from '@spk/reconciler';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

const metaSchema = z.strictObject({
  /** sha256 (hex) of the body's bytes. */
  digest: z.string().regex(/^[a-f0-9]{64}$/),
  bytes: z.number().int().nonnegative(),
  etag: z.string().max(1024).nullable(),
  lastModified: z.string().max(256).nullable(),
  /** When the registry last confirmed this body (ms since the epoch). */
  validatedAt: z.number().int().nonnegative(),
  /** How long the registry said the body may be used without asking (Cache-Control max-age); null: it did not say. */
  maxAgeMs: z.number().int().nonnegative().nullable(),
});
export type PackumentMeta = z.infer<typeof metaSchema>;

export const digestOf = (body: Uint8Array): string => createHash('sha256').update(body).digest('hex');

/** An entry's name on disk: the digest of its cache key (request URL and accept header). */
export const entryId = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

export interface PackumentFiles {
  readMeta(id: string): Promise<PackumentMeta | null>;
  /** The body `meta` describes, or null when it is missing or damaged (then the entry is removed). */
  readBody(id: string, meta: PackumentMeta): Promise<Buffer | null>;
  write(id: string, meta: PackumentMeta, body: Uint8Array): Promise<void>;
  /** Replaces the meta alone (a revalidation that kept the body). */
  writeMeta(id: string, meta: PackumentMeta): Promise<void>;
  remove(id: string): Promise<void>;
  /** Every entry with its body's size and when it was last revalidated (its meta written); clears temps of dead processes. */
  list(): Promise<Array<{ id: string; bytes: number; usedAt: number }>>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function createPackumentFiles(dir: string): PackumentFiles {
  const files = (id: string) => ({ body: path.join(dir, `${id}.body`), meta: path.join(dir, `${id}.meta`) });
  const remove = async (id: string) => {
    const target = files(id);
    // The meta first: a meta never outlives its body.
    await rm(target.meta, { force: true });
    await rm(target.body, { force: true });
  };
  let ready: Promise<unknown> | null = null;
  const ensureDir = () => (ready ??= mkdir(dir, { recursive: true, mode: DIR_MODE }));

  return {
    async readMeta(id) {
      const text = await readFileIfPresent(files(id).meta);
      const parsed = text === null ? null : metaSchema.safeParse(parseJson(text));
      return parsed?.success ? parsed.data : null;
    },
    async readBody(id, meta) {
      const body = await readFile(files(id).body).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (body !== null && body.byteLength === meta.bytes && digestOf(body) === meta.digest) return body;
      await remove(id);
      return null;
    },
    async write(id, meta, body) {
      await ensureDir();
      const target = files(id);
      await writeFileAtomically(target.body, body, { mode: FILE_MODE });
      await writeFileAtomically(target.meta, JSON.stringify(meta), { mode: FILE_MODE });
    },
    async writeMeta(id, meta) {
      await ensureDir();
      await writeFileAtomically(files(id).meta, JSON.stringify(meta), { mode: FILE_MODE });
    },
    remove,
    async list() {
      await ensureDir();
      await sweepStaleTemps(dir);
      const ids = (await readdir(dir)).filter((name) => name.endsWith('.body')).map((name) => name.slice(0, -'.body'.length));
      const entries = await Promise.all(
        ids.map(async (id) => {
          const [body, meta] = await Promise.all([stat(files(id).body).catch(() => null), stat(files(id).meta).catch(() => null)]);
          return body ? [{ id, bytes: body.size, usedAt: (meta ?? body).mtimeMs }] : [];
        }),
      );
      return entries.flat();
    },
  };
}
