// The three size caps as the page names and explains them, in the order it shows them.
import type { SizeCaps } from '@spk/common';

export type CapKey = keyof SizeCaps;

export const CAP_FIELDS: { key: CapKey; label: string; hint: string }[] = [
  { key: 'maxPackageBytes', label: 'Largest package', hint: 'one package (unpacked tarball) larger than this is refused' },
  { key: 'warnTotalBytes', label: 'Warn above (whole set)', hint: 'an install whose packages together exceed this succeeds with a warning' },
  { key: 'blockTotalBytes', label: 'Refuse above (whole set)', hint: 'an install whose packages together exceed this is refused' },
];
