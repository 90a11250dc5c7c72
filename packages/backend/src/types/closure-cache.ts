// Computed closures on disk, under <dataDir>/types/<lockfileHash>/<variant>/, so a restart serves
// them without walking the tree again. The variant names what else decides a closure (the
// algorithm's version, the ceiling): after an upgrade or a new ceiling the closures are computed
// again, not served from an older variant. Each closure is a body file plus a small meta file (ETag,
// sizes), each written to a temp file and renamed, the meta last: a crash leaves no meta, or a meta
// whose body is whole. A body is checked against its meta's digest before it is served.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { typeClosureSchema } from '@spk/common';
import { readFileIfPresent, sweepStaleTemps, writeFileAtomically } from '@spk/reconciler';
import { z } from 'zod';

/** The quoted strong entity-tag of a served body: its sha256. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body, 'utf8').digest('hex')}"`;
}

const metaSchema = z.strictObject({
  etag: z.string().regex(/^"[a-f0-9]{64}"$/),
  /** The closure's content bytes and file count, as the index reports them. */
  bytes: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
});
export type ClosureMeta = z.infer<typeof metaSchema>;

export interface CachedClosure {
  meta: ClosureMeta;
  /** A valid TypeClosure's JSON (checked when read). */
  body: string;
}

export interface ClosureCache {
  /** The meta of a stored closure, or null. */
  readMeta(lockfileHash: string, name: string): Promise<ClosureMeta | null>;
  /** A stored closure whose body matches its meta, or null (absent, torn or damaged: compute it again). */
  read(lockfileHash: string, name: string): Promise<CachedClosure | null>;
  write(lockfileHash: string, name: string, body: string, meta: ClosureMeta): Promise<void>;
  /** Removes every other hash's directory, every other variant of `keep` and temp files of dead processes; returns what could not be removed. */
  prune(keep: string): Promise<Array<{ path: string; error: unknown }>>;
}

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The variant dir of closures computed by algorithm `formatVersion` under a `maxBytes` ceiling. */
export function closureVariant(formatVersion: number, maxBytes: number): string {
  return `v${formatVersion}-${maxBytes}`;
}

/** @param variant See closureVariant: what besides the hash and the name decides a closure. */
export function createClosureCache(typesDir: string, variant: string): ClosureCache {
  const hashDir = (lockfileHash: string) => path.join(typesDir, lockfileHash);
  const variantDir = (lockfileHash: string) => path.join(hashDir(lockfileHash), variant);
  // Package names become one file name: `@scope/name` -> `@scope%2Fname`.
  const files = (lockfileHash: string, name: string) => {
    const base = path.join(variantDir(lockfileHash), encodeURIComponent(name));
    return { body: `${base}.json`, meta: `${base}.meta.json` };
  };

  const writeAtomically = (file: string, text: string) => writeFileAtomically(file, text, { mode: FILE_MODE });

  async function readMeta(lockfileHash: string, name: string): Promise<ClosureMeta | null> {
    const text = await readFileIfPresent(files(lockfileHash, name).meta);
    const parsed = text === null ? null : metaSchema.safeParse(parseJson(text));
    return parsed?.success ? parsed.data : null;
  }

  return {
    readMeta,
    async read(lockfileHash, name) {
      const meta = await readMeta(lockfileHash, name);
      if (meta === null) return null;
      const body = await readFileIfPresent(files(lockfileHash, name).body);
      if (body === null || etagOf(body) !== meta.etag) return null;
      return typeClosureSchema.safeParse(parseJson(body)).success ? { meta, body } : null;
    },
    async write(lockfileHash, name, body, meta) {
      await mkdir(variantDir(lockfileHash), { recursive: true, mode: DIR_MODE });
      const target = files(lockfileHash, name);
      await writeAtomically(target.body, body);
      await writeAtomically(target.meta, JSON.stringify(meta));
    },
    async prune(keep) {
      const failures: Array<{ path: string; error: unknown }> = [];
      const remove = (target: string) => rm(target, { recursive: true, force: true }).catch((error: unknown) => void failures.push({ path: target, error }));
      const list = (dir: string) =>
        readdir(dir).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') failures.push({ path: dir, error });
          return [];
        });
      // Other hashes; in the kept hash, other variants; in the kept variant, temps a crashed process
      // left (a write still in flight in this process keeps its temp).
      await Promise.all((await list(typesDir)).filter((entry) => entry !== keep).map((entry) => remove(path.join(typesDir, entry))));
      await Promise.all((await list(hashDir(keep))).filter((entry) => entry !== variant).map((entry) => remove(path.join(hashDir(keep), entry))));
      await sweepStaleTemps(variantDir(keep)).catch((error: unknown) => void failures.push({ path: variantDir(keep), error }));
      return failures;
    },
  };
}
