// The console's sections and their addresses (#/packages, ...): hash routing, so the server serves
// one index.html and a reload stays on the section.
export const SECTIONS = [
  { id: 'packages', label: 'Packages' },
  { id: 'install', label: 'Install' },
  { id: 'hosts', label: 'Hosts' },
  { id: 'settings', label: 'Settings' },
  { id: 'editor', label: 'Script editor' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

export function sectionFromHash(hash: string): SectionId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return SECTIONS.find((section) => section.id === id)?.id ?? 'packages';
}
