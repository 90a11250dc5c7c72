// The editor without Monaco: a labelled textarea with the same props. Used by component tests,
// where Monaco cannot run, and shown if Monaco fails to load so a script can still be run.
import { useId } from 'react';
import { isRunShortcut } from './run-request.ts';
import type { ScriptEditorProps } from './script-editor-props.ts';

export function TextareaEditor({ value, onChange, onRun, label }: ScriptEditorProps) {
  const id = useId();
  return (
    <div className="textarea-editor">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        value={value}
        spellCheck={false}
        rows={18}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (!isRunShortcut(event)) return;
          event.preventDefault();
          onRun();
        }}
      />
    </div>
  );
}
