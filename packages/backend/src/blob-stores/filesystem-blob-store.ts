// A blob store in a directory: one file per blob named by its sha512 hex digest, written under a
// temp name and renamed so a reader never sees a partial file. The blob index is shared by every
// core instance, so with several instances this directory must be one shared volume.
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { hexToIntegrity, integrityToHex, SHA512_HEX } from '@spk/common';
import { verifyBlob, type BlobStore } from './blob-store.ts';

export const FILESYSTEM_STORE_ID = 'filesystem';

const isNotFound = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** `dir` is the store's explicit location (the server's SPK_BLOB_DIR): absolute, so messages name it exactly. */
export function createFilesystemBlobStore(dir: string, id = FILESYSTEM_STORE_ID): BlobStore {
  const root = path.resolve(dir);
  const fileOf = (integrity: string) => path.join(root, integrityToHex(integrity));
  const exists = async (file: string) => stat(file).then(() => true, (e) => (isNotFound(e) ? false : Promise.reject(e)));

  return {
    id,
    has: (integrity) => exists(fileOf(integrity)),
    async put(integrity, bytes) {
      verifyBlob(integrity, bytes);
      const file = fileOf(integrity);
      // A present file is kept only if intact; a damaged one is replaced (atomically, as below).
      const current = await readFile(file).catch((e) => (isNotFound(e) ? null : Promise.reject(e)));
      if (current && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(current)) return { written: false };
      await mkdir(root, { recursive: true });
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, bytes, { mode: 0o644 });
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return { written: true };
    },
    async get(integrity) {
      try {
        return new Uint8Array(await readFile(fileOf(integrity)));
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async getStream(integrity) {
      const file = fileOf(integrity);
      return (await exists(file)) ? createReadStream(file) : null;
    },
    async delete(integrity) {
      const file = fileOf(integrity);
      if (!(await exists(file))) return false;
      await rm(file);
      return true;
    },
    async *list() {
      let names: string[];
      try {
        names = await readdir(root);
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      for (const name of names) if (SHA512_HEX.test(name)) yield hexToIntegrity(name);
    },
    locate: (integrity) => ({
      location: fileOf(integrity),
      advice:
        `every core instance must read the same blob directory (SPK_BLOB_DIR, here ${root}): with several instances, mount one shared volume there on each ` +
        "(docs/operations.md, \"Blob stores\"); if the file was deleted, trigger an install, which fetches it from the registry again",
    }),
  };
}
