// The live state of the central install: the outcome of the last attempt in an aria-live status
// (what the browser test and screen readers follow), and while one runs its progress and steps.
import type { InstallState } from '@spk/common';
import { formatBytes, formatTime, shortHash } from '../ui/format.ts';
import { installOutcome, installPercent, installSteps } from './install-progress.ts';
import { ProgressBar } from '../ui/progress-bar.tsx';

function OutcomeText({ state }: { state: InstallState }) {
  const outcome = installOutcome(state);
  switch (outcome.kind) {
    case 'installing':
      return (
        <>
          <strong>Installing</strong>: {outcome.step}
          {state.startedAt ? <> (started {formatTime(state.startedAt)})</> : null}
        </>
      );
    case 'done':
      return (
        <>
          <strong>Done</strong>: committed <code>{shortHash(outcome.lockfileHash)}</code>
          {outcome.committedAt ? (
            <>
              {' '}
              at <time dateTime={outcome.committedAt}>{formatTime(outcome.committedAt)}</time>
            </>
          ) : null}
          , {state.manifest.length} packages, {formatBytes(state.totalSize)}
        </>
      );
    case 'failed':
      return (
        <>
          <strong>Failed</strong>
          {state.finishedAt ? <> at {formatTime(state.finishedAt)}</> : null}: <code className="error-code">{outcome.error.code}</code>{' '}
          <span className="error-message">{outcome.error.message}</span>
          {outcome.lockfileHash ? (
            <span className="muted">
              {' '}
              (hosts keep the desired tree <code>{shortHash(outcome.lockfileHash)}</code>)
            </span>
          ) : null}
        </>
      );
    case 'never':
      return <>Nothing installed yet: declare packages, then install.</>;
  }
}

function Progress({ state }: { state: InstallState }) {
  const percent = installPercent(state.progress);
  const steps = installSteps(state.progress);
  const current = steps.find((step) => step.state === 'current');
  return (
    <div className="install-progress">
      <ProgressBar label="Install progress" percent={percent} valueText={`${percent}%: ${current?.label ?? 'starting'}`} />
      <ol className="steps" aria-label="Install steps">
        {steps.map((step) => (
          <li key={step.phase} className={`step step-${step.state}`} aria-current={step.state === 'current' ? 'step' : undefined}>
            <span className="step-mark" aria-hidden="true">
              {step.state === 'done' ? '✓' : step.state === 'current' ? '▶' : '·'}
            </span>{' '}
            {step.label}
            {step.state === 'done' ? <span className="visually-hidden"> (done)</span> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function InstallStatus({ state }: { state: InstallState }) {
  const kind = installOutcome(state).kind;
  return (
    <div className={`install-status install-${kind}`}>
      <p role="status" aria-label="Install status" className="status-line">
        <OutcomeText state={state} />
      </p>
      {state.status === 'installing' ? <Progress state={state} /> : null}
      {state.warnings.length > 0 ? (
        <div className="warnings">
          <h3>Warnings</h3>
          <ul>
            {state.warnings.map((warning, i) => (
              <li key={i}>{warning}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
