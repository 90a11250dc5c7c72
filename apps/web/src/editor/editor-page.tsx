// The script editor section: write a script with the installed packages' types, run it on the core
// instance (Run or Ctrl/Cmd+Enter) and read its result. The script and its run settings are kept in
// this browser. Running needs the `manage` permission; a read-only token may still edit.
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { RunResult, RunScriptInput } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { useAction, useStream } from '../ui/hooks.ts';
import './editor.css';
import { LazyMonacoEditor } from './lazy-monaco-editor.tsx';
import { isRunShortcut, runRequestFrom, timeoutMsFrom } from './run-request.ts';
import { RunResultPanel } from './run-result-panel.tsx';
import type { ScriptEditor } from './script-editor-props.ts';
import { loadScript, loadSettings, saveScript, saveSettings, SCRIPT_FILENAMES, type ScriptFilename } from './script-storage.ts';

export function EditorPage({ editor: Editor = LazyMonacoEditor }: { editor?: ScriptEditor } = {}) {
  const session = useSession();
  const canRun = session.can('manage');
  const ids = { filename: useId(), timeout: useId(), timeoutProblem: useId(), readOnly: useId() };
  const [source, setSource] = useState(loadScript);
  const [settings, setSettings] = useState(loadSettings);
  const [formProblem, setFormProblem] = useState<string | null>(null);
  const [run, setRun] = useState<RunResult | null>(null);
  const install = useStream((signal) => session.client.install.watch(undefined, { signal }), [session.client]);
  const execute = useAction((input: RunScriptInput) => session.client.runs.execute(input));

  useEffect(() => saveScript(source), [source]);
  useEffect(() => saveSettings(settings), [settings]);

  const timeoutCheck = timeoutMsFrom(settings.timeoutSeconds);
  const timeoutProblem = typeof timeoutCheck === 'string' ? timeoutCheck : null;

  async function runNow(): Promise<void> {
    if (!canRun || execute.pending) return;
    const request = runRequestFrom(source, settings.filename, settings.timeoutSeconds);
    if (!request.ok) {
      setFormProblem(request.message);
      return;
    }
    setFormProblem(null);
    setRun(null);
    const result = await execute.run(request.input);
    if (result) setRun(result);
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    // The editor handles the shortcut itself (and marks it handled); this covers the other fields.
    if (!isRunShortcut(event) || event.defaultPrevented) return;
    event.preventDefault();
    void runNow();
  }

  return (
    <div className="editor-page" onKeyDown={onKeyDown}>
      <h1>Script editor</h1>
      <p className="muted">
        A script is a JavaScript module run on this core instance against the installed packages; its default export (awaited) is the result.
      </p>
      <div className="editor-toolbar">
        <div className="field">
          <label htmlFor={ids.filename}>File name</label>
          <select
            id={ids.filename}
            value={settings.filename}
            onChange={(event) => setSettings({ ...settings, filename: event.target.value as ScriptFilename })}
          >
            {SCRIPT_FILENAMES.map((entry) => (
              <option key={entry.filename} value={entry.filename}>
                {entry.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.timeout}>Timeout (s)</label>
          <input
            id={ids.timeout}
            type="number"
            inputMode="decimal"
            min={1}
            max={600}
            step="any"
            value={settings.timeoutSeconds}
            aria-invalid={timeoutProblem !== null}
            aria-describedby={timeoutProblem ? ids.timeoutProblem : undefined}
            onChange={(event) => setSettings({ ...settings, timeoutSeconds: event.target.value })}
          />
        </div>
        <button
          type="button"
          className="primary"
          disabled={!canRun || execute.pending || timeoutProblem !== null}
          aria-describedby={canRun ? undefined : ids.readOnly}
          onClick={() => void runNow()}
        >
          Run
        </button>
        <span className="muted shortcut">Ctrl+Enter (⌘+Enter) runs</span>
      </div>
      {timeoutProblem && (
        <p className="field-problem" id={ids.timeoutProblem} role="alert">
          {timeoutProblem}
        </p>
      )}
      {!canRun && (
        <p className="read-only-note" id={ids.readOnly}>
          This token is read-only: running a script needs the manage permission. You can still write a script here; it is kept in this browser.
        </p>
      )}
      {formProblem && (
        <p className="field-problem" role="alert">
          {formProblem}
        </p>
      )}
      <Editor
        value={source}
        onChange={setSource}
        filename={settings.filename}
        onRun={() => void runNow()}
        token={session.token}
        lockfileHash={install.latest === null ? undefined : install.latest.lockfileHash}
        label="Script"
      />
      <RunResultPanel run={run} pending={execute.pending} failure={execute.error} />
    </div>
  );
}
