// The script editor proper: Monaco on a `file:///<filename>` JavaScript model (under file:/// so
// TypeScript finds the served `file:///node_modules/...` walking up, as Node does at run time),
// checked, with the installed packages' types. Loaded lazily by the page (default export for lazy).
import { useEffect, useRef, useState } from 'react';
import { javascriptDefaults, monaco, setScriptCompilerOptions } from './monaco-setup.ts';
import type { ScriptEditorProps } from './script-editor-props.ts';
import { connectScriptTypes, type ScriptTypes } from './script-types.ts';

/** Typing pauses this long before the script's imports are read again. */
const ACQUIRE_DELAY_MS = 300;

export default function MonacoScriptEditor({ value, onChange, filename, onRun, token, lockfileHash, label }: ScriptEditorProps) {
  const container = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const typesRef = useRef<ScriptTypes | null>(null);
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };
  const [typesProblem, setTypesProblem] = useState<string | null>(null);

  useEffect(() => {
    const editor = monaco.editor.create(container.current!, {
      ariaLabel: label,
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      tabSize: 2,
      // Suggestions and hovers may extend past the editor's box instead of being clipped by it.
      fixedOverflowWidgets: true,
      // Input through a textarea, not Chromium's EditContext: the textarea is what assistive
      // technology and automated browsers (the console's browser test) type into reliably.
      editContext: false,
    });
    editorRef.current = editor;
    // Replaces Monaco's own Ctrl+Enter (insert line after): here it runs the script.
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => callbacks.current.onRun());
    return () => {
      editor.getModel()?.dispose();
      editor.dispose();
      editorRef.current = null;
    };
  }, []);

  // A model per file name: the extension decides how TypeScript reads the script (ESM or CommonJS).
  useEffect(() => {
    const editor = editorRef.current!;
    const previous = editor.getModel();
    const uri = monaco.Uri.parse(`file:///${filename}`);
    monaco.editor.getModel(uri)?.dispose();
    const model = monaco.editor.createModel(previous?.getValue() ?? value, 'javascript', uri);
    editor.setModel(model);
    previous?.dispose();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscription = model.onDidChangeContent(() => {
      const source = model.getValue();
      callbacks.current.onChange(source);
      clearTimeout(timer);
      timer = setTimeout(() => typesRef.current?.acquire(source), ACQUIRE_DELAY_MS);
    });
    typesRef.current?.acquire(model.getValue());
    return () => {
      subscription.dispose();
      clearTimeout(timer);
    };
  }, [filename]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model && model.getValue() !== value) model.setValue(value);
  }, [value]);

  useEffect(() => {
    const types = connectScriptTypes({ token, target: javascriptDefaults, setCompilerOptions: setScriptCompilerOptions, onProblem: setTypesProblem });
    typesRef.current = types;
    types.acquire(editorRef.current?.getModel()?.getValue() ?? value);
    return () => {
      types.dispose();
      typesRef.current = null;
    };
  }, [token]);

  // A new install: other packages, other versions, so other types.
  useEffect(() => {
    if (lockfileHash === undefined) return;
    typesRef.current?.reset(lockfileHash, editorRef.current?.getModel()?.getValue() ?? value);
  }, [lockfileHash, token]);

  return (
    <>
      <div ref={container} className="monaco-host" data-testid="script-editor" />
      {typesProblem && (
        <p className="types-problem" role="status">
          {typesProblem}
        </p>
      )}
    </>
  );
}
