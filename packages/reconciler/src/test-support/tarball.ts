// Package tarballs for tests, built in memory with the shared raw-header builder of @spk/tools,
// so a test can also make what `npm pack` never would (absolute paths, "..", links out, devices).
import ssri from 'ssri';
import { makeTarball } from '@spk/tools';

export { makeTarball, type TarEntrySpec } from '@spk/tools';

/** A regular package tarball: every file under `top/` (npm uses `package/`). */
export function packageTarball(files: Record<string, string>, top = 'package'): Buffer {
  return makeTarball(Object.entries(files).map(([file, content]) => ({ path: `${top}/${file}`, content })));
}

export function integrityOf(bytes: Uint8Array): string {
  return ssri.fromData(Buffer.from(bytes), { algorithms: ['sha512'] }).toString();
}
