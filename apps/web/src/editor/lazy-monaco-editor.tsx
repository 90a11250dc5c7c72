// Monaco, TypeScript's worker and the type client are megabytes: they load on first visit to the
// editor, not with the console. If that load fails, the script can still be edited and run in a
// plain text area, with the reason shown.
import { lazy, Suspense } from 'react';
import type { ScriptEditorProps } from './script-editor-props.ts';
import { TextareaEditor } from './textarea-editor.tsx';

function loadFailed(error: unknown) {
  const reason = error instanceof Error ? error.message : String(error);
  return function EditorLoadFailed(props: ScriptEditorProps) {
    return (
      <>
        <p className="error" role="alert">
          The code editor failed to load ({reason}); edit the script as plain text below, or reload the page to try again.
        </p>
        <TextareaEditor {...props} />
      </>
    );
  };
}

const MonacoScriptEditor = lazy(() => import('./monaco-script-editor.tsx').catch((error: unknown) => ({ default: loadFailed(error) })));

export function LazyMonacoEditor(props: ScriptEditorProps) {
  return (
    <Suspense
      fallback={
        <p className="editor-loading" role="status">
          Loading editor…
        </p>
      }
    >
      <MonacoScriptEditor {...props} />
    </Suspense>
  );
}
