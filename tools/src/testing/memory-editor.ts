// A TypeScript language service over in-memory files: the stand-in for Monaco in tests and the
// types benchmark. Every file handed to it is a root file, as Monaco's extra libs are; paths are
// `file:///...` as the type-acquisition client delivers them, and lib files come from disk.
import ts from 'typescript';

const VIRTUAL_ROOT = 'file:///';

export interface MemoryFile {
  path: string;
  content: string;
}

export interface MemoryEditor {
  /** Every file by path, with the version the language service sees. */
  readonly files: ReadonlyMap<string, { content: string; version: number }>;
  addFiles(files: Iterable<MemoryFile>): void;
  /** Drops every file but `keep` (what an editor does when the tree changes). */
  clear(keep?: readonly string[]): void;
  /** Puts `source` at `path`, then gives that file's syntactic and semantic diagnostics as `TS<code>: <message>`. */
  check(path: string, source: string): string[];
  /** Diagnostics of the options and the program as a whole (e.g. a `types` entry that does not resolve). */
  programDiagnostics(): string[];
  dispose(): void;
}

const format = (diagnostics: readonly ts.Diagnostic[]) => diagnostics.map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

/** `documents` lets several editors share parsed lib files. */
export function createMemoryEditor(options: ts.CompilerOptions, documents: ts.DocumentRegistry = ts.createDocumentRegistry()): MemoryEditor {
  const files = new Map<string, { content: string; version: number }>();
  // One counter for all files: a path dropped and delivered again must never reuse a version.
  let versions = 0;
  const isVirtual = (file: string) => file.startsWith(VIRTUAL_ROOT);
  const put = (file: string, content: string) => {
    if (files.get(file)?.content !== content) files.set(file, { content, version: ++versions });
  };
  const childrenOf = (dir: string) => {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    return [...files.keys()].filter((file) => file.startsWith(prefix)).map((file) => file.slice(prefix.length).split('/'));
  };
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => options,
    getScriptFileNames: () => [...files.keys()],
    getScriptVersion: (file) => String(files.get(file)?.version ?? 0),
    getScriptSnapshot: (file) => {
      const content = host.readFile(file);
      return content === undefined ? undefined : ts.ScriptSnapshot.fromString(content);
    },
    getCurrentDirectory: () => VIRTUAL_ROOT,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (file) => (isVirtual(file) ? files.has(file) : ts.sys.fileExists(file)),
    readFile: (file) => (isVirtual(file) ? files.get(file)?.content : ts.sys.readFile(file)),
    directoryExists: (dir) => (isVirtual(dir) ? childrenOf(dir).length > 0 : ts.sys.directoryExists(dir)),
    getDirectories: (dir) =>
      isVirtual(dir) ? [...new Set(childrenOf(dir).filter((parts) => parts.length > 1).map((parts) => parts[0]!))] : ts.sys.getDirectories(dir),
  };
  const service = ts.createLanguageService(host, documents);
  return {
    files,
    addFiles(delivered) {
      for (const file of delivered) put(file.path, file.content);
    },
    clear(keep = []) {
      for (const file of [...files.keys()]) if (!keep.includes(file)) files.delete(file);
    },
    check(path, source) {
      put(path, source);
      return format([...service.getSyntacticDiagnostics(path), ...service.getSemanticDiagnostics(path)]);
    },
    programDiagnostics: () => format(service.getCompilerOptionsDiagnostics()),
    dispose: () => service.dispose(),
  };
}
