// Monaco as this console uses it: the editor core, its editing features, and the JavaScript language
// with the TypeScript service (no other languages), with workers Vite bundles as hashed files.
// Imported only through the lazily loaded editor, so the rest of the console never waits for it.
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/javascript/register';
import { javascriptDefaults, type CompilerOptions } from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/language/typescript/ts.worker?worker';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return label === 'typescript' || label === 'javascript' ? new TypeScriptWorker() : new EditorWorker();
  },
};

// Checked JavaScript: Monaco leaves semantic checks off for JavaScript by default, which would hide
// exactly the wrong calls of package exports the editor is here to show.
javascriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });

/**
 * Options for a script: the tree's (from type acquisition) plus checked JavaScript. The cast:
 * Monaco's typings list only the Classic and NodeJs module resolutions, its TypeScript takes Bundler.
 */
export function setScriptCompilerOptions(options: object): void {
  javascriptDefaults.setCompilerOptions({ ...options, allowJs: true, checkJs: true, allowNonTsExtensions: true } as CompilerOptions);
}

export { javascriptDefaults, monaco };
