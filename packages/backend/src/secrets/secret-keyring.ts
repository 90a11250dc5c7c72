// The secret key this instance seals registry secrets with: loaded once at start (secret-key.ts),
// swapped by a rotation. A rotation keeps every key a crash could still need on disk:
//   1. the settings store opens every stored secret with the current key and re-seals it with the new
//      one inside its transaction (a secret it cannot open refuses the rotation before anything changed);
//   2. still inside it, `persist()` saves the current key as secret-key.previous, then the new key as
//      secret-key (each atomic, 0600) and swaps the box in memory;
//   3. the transaction commits.
// A crash before 2 changes nothing. A crash (or a failed commit) after 2 leaves the new key current and
// the old one in secret-key.previous: the values still sealed with the old key are opened with it and
// re-sealed with the new one by the migration on the next start. Writing the new key only after the
// commit could lose it: the database would then hold values sealed with a key stored nowhere.
// A rotation that failed after 2 is unsettled until the next start: values sealed with the old key
// may remain, and only secret-key.previous still holds it, so a further rotation (which would replace
// that file) is refused until a restart has re-sealed them.
// With SPK_SECRET_KEY the key lives in the environment, which only the operator can change: the box
// is swapped after the commit, and the result says to set SPK_SECRET_KEY on every instance.
import { SpkError, type RotateKeyResult } from '@spk/common';
import type { Logger } from '../services.ts';
import { createSecretBox, secretKeyId, type SecretBox } from './secret-box.ts';
import { loadSecretKey, SECRET_KEY_ADVICE, PREVIOUS_KEY_SUFFIX, saveSecretKeyFile, type LoadedSecretKey } from './secret-key.ts';

export interface KeyRotation {
  /** Opens what is stored now: the current key and the older ones. */
  from: SecretBox;
  /** Seals with the new key; opens with it and every key `from` knows. */
  to: SecretBox;
  /** Call after the re-sealed values are written and before the commit (step 2 above). */
  persist(): Promise<void>;
}

export interface SecretKeyring {
  /** Loads (or generates) the key; the backend's start() calls it before anything reads a secret. */
  load(): Promise<LoadedSecretKey>;
  /** Seals with the current key; opens with it and the older keys found at start. */
  box(): SecretBox;
  keyId(): string | null;
  /** Where the key came from and whether this start generated it (null before load). */
  origin(): Pick<LoadedSecretKey, 'source' | 'file' | 'generated'> | null;
  /** Runs `reseal` with the old and new boxes, one rotation at a time; see the top of this file. */
  rotate<T>(key: Buffer, reseal: (rotation: KeyRotation) => Promise<T>): Promise<{ value: T; result: Omit<RotateKeyResult, 'reencrypted'> }>;
}

export function createSecretKeyring(options: { envValue: string | undefined; dataDir: string; logger: Logger }): SecretKeyring {
  const log = options.logger.child({ component: 'secret-key' });
  let loaded: LoadedSecretKey | null = null;
  let current: SecretBox | null = null;
  let rotations: Promise<unknown> = Promise.resolve();
  // A rotation failed after its new key was saved: see the top of this file.
  let unsettled = false;

  function loadedKey(): LoadedSecretKey {
    if (!loaded) throw new Error("the secret key is not loaded yet: the backend's start() loads it before serving");
    return loaded;
  }

  function adopt(next: LoadedSecretKey): void {
    loaded = next;
    current = createSecretBox(next.key, next.olderKeys);
  }

  function note(rotated: LoadedSecretKey): string {
    if (rotated.source === 'env') {
      return (
        `the registry secrets are now sealed with the key ${rotated.keyId}, but SPK_SECRET_KEY still holds the old one: set SPK_SECRET_KEY to the new key on every instance ` +
        'before any of them restarts (an instance started with the old key cannot open the secrets), then restart the instances still running with the old key'
      );
    }
    return (
      `the registry secrets are now sealed with the key ${rotated.keyId}, saved in ${rotated.file} (the previous key stays in ${rotated.file}${PREVIOUS_KEY_SUFFIX}); ` +
      'back it up with the data dir. Instances with their own data dir that share this database need the same key: set SPK_SECRET_KEY to it on every instance'
    );
  }

  async function rotateNow<T>(key: Buffer, reseal: (rotation: KeyRotation) => Promise<T>) {
    const before = loadedKey();
    const from = current!;
    const keyId = secretKeyId(key);
    if (keyId === before.keyId) {
      throw new SpkError('INVALID_INPUT', `the new key is the key in use (id ${keyId}); give a new one (${SECRET_KEY_ADVICE})`);
    }
    if (unsettled) {
      throw new SpkError(
        'INTERNAL',
        `an earlier key rotation on this instance failed after its new key (${before.keyId}) was saved; restart the server first (the start re-seals what the old key still holds), then rotate again`,
      );
    }
    const olderKeys = [before.key, ...before.olderKeys.filter((older) => !older.equals(key))];
    const after: LoadedSecretKey = { ...before, key, keyId, olderKeys, generated: false };
    let persisted = false;
    const rotation: KeyRotation = {
      from,
      to: createSecretBox(key, olderKeys),
      async persist() {
        if (persisted || before.source === 'env') return;
        await saveSecretKeyFile(`${before.file}${PREVIOUS_KEY_SUFFIX}`, before.key);
        await saveSecretKeyFile(before.file, key);
        adopt(after);
        persisted = true;
      },
    };
    let value: T;
    try {
      value = await reseal(rotation);
    } catch (error) {
      if (persisted) {
        unsettled = true;
        log.warn({ keyId, file: before.file }, 'the key rotation failed after the new key was saved: it stays current, and values still sealed with the previous key are re-sealed at the next start');
      } else if (before.source === 'env') {
        // The commit may have happened all the same (a connection lost while committing): keep the new key at hand.
        adopt({ ...before, olderKeys: [key, ...before.olderKeys] });
      }
      throw error;
    }
    await rotation.persist();
    if (before.source === 'env') adopt(after);
    log.info({ keyId, previousKeyId: before.keyId, source: before.source }, 'rotated the secret key of the registry secrets');
    return { value, result: { keyId, source: before.source, note: note(after) } };
  }

  return {
    async load() {
      const next = await loadSecretKey({ envValue: options.envValue, dataDir: options.dataDir, logger: log });
      adopt(next);
      return next;
    },

    box() {
      loadedKey();
      return current!;
    },

    keyId: () => loaded?.keyId ?? null,

    origin: () => (loaded ? { source: loaded.source, file: loaded.file, generated: loaded.generated } : null),

    rotate(key, reseal) {
      const run = rotations.then(() => rotateNow(key, reseal));
      rotations = run.catch(() => undefined);
      return run;
    },
  };
}
