// Pure size-cap decisions: which package or total breaks a block cap, and what to warn about.
import { SpkError, type SizeCaps } from '@spk/common';

const MiB = 1024 * 1024;
export const formatBytes = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

export interface SizedPackage {
  name: string;
  version: string;
  integrity: string;
  size: number;
}

/** Throws SIZE_CAP_EXCEEDED naming the package or total; returns warnings otherwise. */
export function checkSizeCaps(packages: SizedPackage[], caps: SizeCaps): string[] {
  const tooBig = packages.filter((p) => p.size > caps.maxPackageBytes).sort((a, b) => b.size - a.size);
  if (tooBig.length > 0) {
    const p = tooBig[0]!;
    throw new SpkError(
      'SIZE_CAP_EXCEEDED',
      `${p.name}@${p.version} is ${formatBytes(p.size)}, over the per-package cap of ${formatBytes(caps.maxPackageBytes)}; remove it or raise maxPackageBytes`,
      { package: `${p.name}@${p.version}`, size: p.size, cap: caps.maxPackageBytes },
    );
  }
  const seen = new Set<string>();
  let total = 0;
  for (const p of packages) {
    if (seen.has(p.integrity)) continue;
    seen.add(p.integrity);
    total += p.size;
  }
  if (total > caps.blockTotalBytes) {
    throw new SpkError(
      'SIZE_CAP_EXCEEDED',
      `the package set is ${formatBytes(total)} compressed, over the block cap of ${formatBytes(caps.blockTotalBytes)}; remove packages or raise blockTotalBytes`,
      { total, cap: caps.blockTotalBytes },
    );
  }
  if (total > caps.warnTotalBytes) {
    return [`the package set is ${formatBytes(total)} compressed, over the warning threshold of ${formatBytes(caps.warnTotalBytes)}`];
  }
  return [];
}
