// A package the server found no declarations for (`notFound`) would make the editor say "Cannot
// find module". One ambient declaration types it (and its subpaths) as `any` instead, which is what
// Node will hand the script at run time anyway.
import type { TypeFile } from '@spk/common';

/**
 * Outside every real package folder (no package is named `@spk-untyped/...`), so it never shadows
 * or is shadowed by a served file; one file per package, so delivering it twice replaces it.
 */
export function untypedModulePath(name: string): string {
  return `file:///node_modules/@spk-untyped/${name.replaceAll('/', '__')}.d.ts`;
}

export function untypedModuleFile(name: string): TypeFile {
  const quoted = JSON.stringify(name);
  const content = [
    `// ${name} ships no declarations and has no @types package: it is typed as any.`,
    `declare module ${quoted};`,
    `declare module ${JSON.stringify(`${name}/*`)};`,
    '',
  ].join('\n');
  return { path: untypedModulePath(name), content };
}
