// The install-scripts allow-list: lifecycle scripts are off unless a package is allowed by name.
// Also lists the packages of the desired tree that have scripts, so an operator sees what is held back.
import { useId, useState, type FormEvent } from 'react';
import type { ScriptsPolicy } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { formatTime } from '../ui/format.ts';
import { useAction, useApi } from '../ui/hooks.ts';

export function InstallScriptsPanel({ manage }: { manage: boolean }) {
  const { client } = useSession();
  const id = useId();
  const loaded = useApi(() => client.installScripts.get(), [client]);
  const [fresh, setFresh] = useState<ScriptsPolicy | null>(null);
  const [name, setName] = useState('');
  const change = useAction((allow: boolean, pkg: string) => (allow ? client.installScripts.allow({ name: pkg }) : client.installScripts.disallow({ name: pkg })));
  const policy = fresh ?? loaded.data;

  async function apply(allow: boolean, pkg: string) {
    const result = await change.run(allow, pkg);
    if (result) setFresh(result);
    return result;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await apply(true, name.trim())) setName('');
  }

  return (
    <div className="install-scripts">
      <h3>Install scripts</h3>
      <p className="muted">Lifecycle scripts run only for packages allowed here, from the next install on.</p>
      <ErrorText failure={loaded.error} />
      {policy && (
        <>
          {policy.allowed.length === 0 ? (
            <p>No package may run install scripts.</p>
          ) : (
            <ul className="allow-list" aria-label="Allowed to run install scripts">
              {policy.allowed.map((entry) => (
                <li key={entry.name}>
                  <code>{entry.name}</code> <span className="muted">since {formatTime(entry.allowedAt)}</span>
                  {manage && (
                    <button type="button" aria-label={`Remove ${entry.name}`} disabled={change.pending} onClick={() => void apply(false, entry.name)}>
                      Remove
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {policy.withScripts.length > 0 && (
            <div className="table-wrap">
              <table aria-label="Packages with install scripts">
                <thead>
                  <tr>
                    <th scope="col">Package</th>
                    <th scope="col">Version</th>
                    <th scope="col">Scripts</th>
                  </tr>
                </thead>
                <tbody>
                  {policy.withScripts.map((entry) => (
                    <tr key={entry.path}>
                      <td>{entry.name}</td>
                      <td>{entry.version}</td>
                      <td>{entry.allowed ? 'run' : 'held back'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {manage && (
        <form className="inline-form" onSubmit={(event) => void submit(event)}>
          <label htmlFor={`${id}-name`}>Package to allow</label>
          <input id={`${id}-name`} value={name} required onChange={(event) => setName(event.target.value)} placeholder="esbuild" />
          <button type="submit" disabled={change.pending || name.trim() === ''}>
            Allow scripts
          </button>
        </form>
      )}
      <ErrorText failure={change.error} />
    </div>
  );
}
