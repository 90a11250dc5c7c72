import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { TypeFile } from '@spk/common';
import { compilerOptionsFor, recommendedCompilerOptions } from './compiler-options.ts';
import { untypedModuleFile } from './untyped-module.ts';

const SCRIPT = 'file:///script.ts';

const served: TypeFile[] = [
  { path: 'file:///node_modules/typed/package.json', content: '{"name":"typed","version":"1.0.0","exports":{".":{"types":"./lib/main.d.ts"}}}' },
  { path: 'file:///node_modules/typed/lib/main.d.ts', content: "export declare const version: '1.0.0';" },
  { path: 'file:///node_modules/@types/node/package.json', content: '{"name":"@types/node","version":"20.19.0","types":"index.d.ts"}' },
  {
    path: 'file:///node_modules/@types/node/index.d.ts',
    content: 'declare var process: { env: Record<string, string | undefined> };\ndeclare var console: { log(...data: unknown[]): void };\ndeclare module "node:fs" { export function readFileSync(path: string): string; }',
  },
];

/** TypeScript's own lib files, parsed once for every program of this file. */
const libFiles = new Map<string, ts.SourceFile>();

/** Diagnostics of `script` type-checked the way an editor would: the delivered files as roots, TypeScript's own libs from disk. */
function diagnose(script: string, files: TypeFile[], options: ts.CompilerOptions): string[] {
  const virtual = new Map([...files.map((file): [string, string] => [file.path, file.content]), [SCRIPT, script]]);
  const host = ts.createCompilerHost(options);
  const read = (fileName: string) => virtual.get(fileName) ?? (fileName.startsWith('file:///') ? undefined : ts.sys.readFile(fileName));
  host.fileExists = (fileName) => read(fileName) !== undefined;
  host.readFile = read;
  host.getSourceFile = (fileName, languageVersion) => {
    const cached = virtual.has(fileName) ? undefined : libFiles.get(fileName);
    if (cached !== undefined) return cached;
    const text = read(fileName);
    if (text === undefined) return undefined;
    const file = ts.createSourceFile(fileName, text, languageVersion, true);
    if (!virtual.has(fileName)) libFiles.set(fileName, file);
    return file;
  };
  host.directoryExists = (name) => !name.startsWith('file:///') || [...virtual.keys()].some((path) => path.startsWith(`${name.replace(/\/$/, '')}/`));
  host.getCurrentDirectory = () => 'file:///';
  const roots = [SCRIPT, ...files.filter((file) => file.path.endsWith('.ts')).map((file) => file.path)];
  const program = ts.createProgram(roots, options, host);
  return [...program.getOptionsDiagnostics(), ...program.getSemanticDiagnostics(program.getSourceFile(SCRIPT)), ...program.getSyntacticDiagnostics()].map(
    (diagnostic) => `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
  );
}

const nodeIndex = { nodeTypes: { name: '@types/node' as const, version: '20.19.0' } };

// The first program parses TypeScript's lib files from disk: seconds on a busy machine.
describe('compilerOptionsFor', { timeout: 30_000 }, () => {
  it('resolves served packages through exports type conditions from file:///node_modules, and Node globals from @types/node', () => {
    const script = "import { version } from 'typed';\nimport { readFileSync } from 'node:fs';\nconst v: '1.0.0' = version;\nconsole.log(v, process.env.HOME, readFileSync('x'), await Promise.resolve(1));";
    expect(diagnose(script, served, compilerOptionsFor(nodeIndex))).toEqual([]);
    const wrong = diagnose("import { version } from 'typed';\nconst v: '2.0.0' = version;", served, compilerOptionsFor(nodeIndex));
    expect(wrong).toEqual([expect.stringMatching(/^TS2322: Type '"1.0.0"' is not assignable to type '"2.0.0"'/)]);
  });

  it('leaves the DOM out when Node types are installed, since a script never runs in a page', () => {
    expect(diagnose('document.title;', served, compilerOptionsFor(nodeIndex))).toEqual([expect.stringMatching(/^TS2584|^TS2304/)]);
    expect(diagnose('console.log(1);', [], compilerOptionsFor(null))).toEqual([]);
  });

  it('a package served as notFound resolves to any through its synthetic declaration, subpaths included', () => {
    const script = "import u from 'untyped';\nimport deep from 'untyped/deep/x.js';\nconst n: number = u.anything(deep);";
    expect(diagnose(script, served, compilerOptionsFor(nodeIndex))).toEqual([expect.stringMatching(/^TS2307: Cannot find module 'untyped'/), expect.stringMatching(/^TS2307: Cannot find module 'untyped\/deep\/x.js'/)]);
    expect(diagnose(script, [...served, untypedModuleFile('untyped'), untypedModuleFile('@scope/untyped')], compilerOptionsFor(nodeIndex))).toEqual([]);
    expect(diagnose("import s from '@scope/untyped/sub';\ns.x();", [untypedModuleFile('@scope/untyped')], compilerOptionsFor(null))).toEqual([]);
  });

  it("uses TypeScript's own numbers for its enums (Monaco's bundled TypeScript shares them)", () => {
    expect(recommendedCompilerOptions).toMatchObject({
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      moduleDetection: ts.ModuleDetectionKind.Force,
      baseUrl: 'file:///',
      typeRoots: ['file:///node_modules/@types'],
    });
    expect(compilerOptionsFor(nodeIndex).types).toEqual(['node']);
    expect(compilerOptionsFor({ nodeTypes: null }).types).toEqual([]);
    // What TypeScript makes of the options as JSON-ish values is what the literals mean.
    const parsed = ts.convertCompilerOptionsFromJson({ module: 'esnext', moduleResolution: 'bundler', target: 'es2022', moduleDetection: 'force' }, '/');
    expect(parsed.errors).toEqual([]);
    expect(recommendedCompilerOptions).toMatchObject(parsed.options);
  });

  it("follows @types/node's major with the ECMAScript library that Node has", () => {
    const script = [
      'const sorted: number[] = [3, 1, 2].toSorted();',
      'const grouped = Object.groupBy([1, 2, 3], (n: number) => (n % 2 === 0 ? "even" : "odd"));',
      'const { promise, resolve } = Promise.withResolvers<number>();',
      'resolve(sorted.length + (grouped.even?.length ?? 0));',
      'console.log(await promise, process.env.HOME);',
    ].join('\n');
    const at = (version: string) => diagnose(script, served, compilerOptionsFor({ nodeTypes: { name: '@types/node', version } }));
    const missing = (name: string) => expect.stringMatching(new RegExp(`^TS2550: Property '${name}' does not exist`));
    expect(at('22.10.1')).toEqual([]);
    expect(at('24.0.0')).toEqual([]);
    expect(at('20.19.0')).toEqual([missing('groupBy'), missing('withResolvers')]);
    expect(at('18.19.3')).toEqual([missing('toSorted'), missing('groupBy'), missing('withResolvers')]);
    expect(compilerOptionsFor({ nodeTypes: { name: '@types/node', version: '22.10.1' } }).lib).toEqual(['lib.es2024.d.ts']);
    expect(compilerOptionsFor({ nodeTypes: { name: '@types/node', version: 'not-a-version' } }).lib).toEqual(['lib.es2022.d.ts']);
  });
});
