// The Install section: the central install as it happens (install.watch, so every core instance's
// install shows up here live), a button to start one, and the history of committed states.
import { StreamIndicator } from '../hosts/stream-indicator.tsx';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useAction, useStream } from '../ui/hooks.ts';
import { InstallHistory } from './install-history.tsx';
import { InstallStatus } from './install-status.tsx';
import './install.css';

export function InstallPage() {
  const { client, can } = useSession();
  const watched = useStream((signal) => client.install.watch(undefined, { signal }), [client]);
  const trigger = useAction(() => client.install.trigger());
  const state = watched.latest;
  const installing = state?.status === 'installing';

  return (
    <>
      <h1>Install</h1>
      <p className="muted">
        One core instance resolves the declared packages with npm, stores every tarball once and commits the result as the desired tree; every host then
        converges to it.
      </p>
      <section aria-labelledby="install-state-title" className="panel">
        <div className="panel-head">
          <h2 id="install-state-title">Current install</h2>
          <StreamIndicator stream={watched} label="Install updates" />
        </div>
        {state ? <InstallStatus state={state} /> : <p className="muted">Reading the install state…</p>}
        {can('manage') ? (
          <div className="actions">
            <button type="button" className="primary" disabled={trigger.pending || installing} onClick={() => void trigger.run()}>
              Install now
            </button>
            {installing ? <span className="muted">An install is running; wait for it to finish.</span> : null}
          </div>
        ) : (
          <p className="muted">This token is read-only: it may follow installs but not start one.</p>
        )}
        <ErrorText failure={trigger.error} />
      </section>
      <InstallHistory desiredHash={state?.lockfileHash} />
    </>
  );
}
