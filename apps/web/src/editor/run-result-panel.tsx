// The outcome of the last run: whether it succeeded, its value, its output, how long it took and
// which tree it ran against; a refused call shows the server's message instead.
import type { RunResult } from '@spk/common';
import type { ApiFailure } from '../api/errors.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { shortHash } from '../ui/format.ts';
import { formatDuration, formatRunValue } from './run-result.ts';

export interface RunResultPanelProps {
  run: RunResult | null;
  pending: boolean;
  failure: ApiFailure | null;
}

function Output({ title, text }: { title: string; text: string }) {
  return (
    <div className="run-output">
      <h3>{title}</h3>
      {text === '' ? <p className="muted">(empty)</p> : <pre>{text}</pre>}
    </div>
  );
}

export function RunResultPanel({ run, pending, failure }: RunResultPanelProps) {
  return (
    <section role="region" aria-label="Run result" className="run-result" aria-busy={pending}>
      <h2>Run result</h2>
      <p role="status" aria-live="polite" className="run-status">
        {pending ? 'Running…' : run === null ? (failure ? 'The run was refused.' : 'No run yet: press Run or Ctrl+Enter.') : run.ok ? 'ok' : 'failed'}
      </p>
      <ErrorText failure={failure} />
      {run !== null && (
        <>
          {run.error && (
            <div className="error" role="alert">
              <span className="error-message">{run.error.message}</span> <code className="error-code">{run.error.code}</code>
            </div>
          )}
          <dl className="run-facts">
            <dt>Duration</dt>
            <dd>{formatDuration(run.durationMs)}</dd>
            <dt>Tree</dt>
            <dd>
              <code title={run.lockfileHash}>{shortHash(run.lockfileHash)}</code>
            </dd>
            <dt>Run id</dt>
            <dd>
              <code>{run.runId}</code>
            </dd>
          </dl>
          <div className="run-output">
            <h3>Result</h3>
            <pre>{formatRunValue(run)}</pre>
          </div>
          <Output title="stdout" text={run.stdout} />
          <Output title="stderr" text={run.stderr} />
        </>
      )}
    </section>
  );
}
