// The two digests a registry publishes for a tarball: `dist.integrity` (sha512 SRI, what npm and our
// blob store key on) and the legacy `dist.shasum` (sha1 hex, still checked by older clients).
import { createHash } from 'node:crypto';
import ssri from 'ssri';

export interface TarballDigests {
  integrity: string;
  shasum: string;
}

export function digestTarball(tarball: Buffer): TarballDigests {
  return {
    integrity: ssri.fromData(tarball, { algorithms: ['sha512'] }).toString(),
    shasum: createHash('sha1').update(tarball).digest('hex'),
  };
}
