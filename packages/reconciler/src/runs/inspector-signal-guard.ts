// Keeps SIGUSR1 from opening this process's inspector. A script run or a lifecycle script runs as
// the server's user unless SPK_RUN_AS_USER is set, so it may signal the server (its parent): by
// default Node answers SIGUSR1 by opening the inspector on localhost, handing the script the
// server's memory, tokens included. With a listener installed Node no longer does that.

let guarded = false;

/** Installs the listener once per process; call it before spawning anything that runs foreign code. */
export function guardInspectorSignal(): void {
  if (guarded) return;
  guarded = true;
  process.on('SIGUSR1', () => undefined);
}
