// Public surface of @spk/type-acquisition: the browser client that feeds an editor the declaration
// files of exactly the packages installed on the core, and the compiler options they resolve under.
export {
  createTypeAcquisition,
  type TypeAcquisition,
  type TypeAcquisitionLogger,
  type TypeAcquisitionOptions,
} from './type-acquisition.ts';
export { compilerOptionsFor, recommendedCompilerOptions } from './compiler-options.ts';
export { packagesImportedBy, type TypeScriptModule } from './import-specifiers.ts';
export { untypedModulePath } from './untyped-module.ts';
export type { FetchFunction } from './types-client.ts';
export type { TypeFile } from '@spk/common';
