// A host's data dir holds its trees, its script runs and (on a core) the embedded database and the
// admin token, so it is private to the user the process runs as: enforced at every start whatever
// the umask, which also repairs a data dir an older version or an operator left open.
import { chmod, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SpkError } from '@spk/common';

export interface DataDirModeOptions {
  /**
   * Data dir 0711 instead of 0700: another user (scripts run as a dedicated unprivileged user) may
   * pass through to paths it is told about, never list the dir; everything private stays 0700/0600.
   */
  traversable?: boolean;
}

const PRIVATE_DIR = 0o700;

/** Creates the data dir if needed and gives it its mode; call before anything is written into it. */
export async function prepareDataDir(dataDir: string, options: DataDirModeOptions = {}): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR });
  const info = await stat(dataDir);
  if (!info.isDirectory()) {
    throw new SpkError('DATA_DIR_UNUSABLE', `SPK_DATA_DIR ${dataDir} is not a directory; point it at a directory of its own`);
  }
  // A sticky-bit directory is shared by design (/tmp): making it private would break every other user.
  if (info.mode & 0o1000) {
    throw new SpkError('DATA_DIR_UNUSABLE', `SPK_DATA_DIR ${dataDir} is a shared directory (sticky bit set, like /tmp); point it at a directory of its own, e.g. ${path.join(dataDir, 'spk')}`);
  }
  try {
    await chmod(dataDir, options.traversable ? 0o711 : PRIVATE_DIR);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    throw new SpkError('DATA_DIR_UNUSABLE', `cannot make the data dir ${dataDir} private: it belongs to another user; chown it to the user this process runs as, or set SPK_DATA_DIR to a directory of that user`);
  }
}
