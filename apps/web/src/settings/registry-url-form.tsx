// The short form of a registry configuration: the default registry URL and its token. The token
// field is write-only: empty keeps the stored token, and it is cleared once the server has it.
import { useId, useState, type FormEvent } from 'react';
import type { RegistryConfig, RegistryConfigInput } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useAction } from '../ui/hooks.ts';

export function RegistryUrlForm({ config, onSaved }: { config: RegistryConfig; onSaved(config: RegistryConfig): void }) {
  const { client } = useSession();
  const id = useId();
  const [url, setUrl] = useState(config.registry);
  const [token, setToken] = useState('');
  const [clearToken, setClearToken] = useState(false);
  const [saved, setSaved] = useState(false);
  const saving = useAction((input: RegistryConfigInput) => client.registry.set(input));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const input: RegistryConfigInput = { url: url.trim() };
    if (clearToken) input.token = null;
    else if (token !== '') input.token = token;
    const result = await saving.run(input);
    if (!result) return;
    setToken('');
    setClearToken(false);
    setSaved(true);
    onSaved(result);
  }

  return (
    <form className="settings-form" onSubmit={(event) => void submit(event)}>
      <h3>Set the default registry</h3>
      <p className="muted">Changes the default registry and its token; scoped registries and other credentials are kept.</p>
      <label htmlFor={`${id}-url`}>Default registry URL</label>
      <input id={`${id}-url`} type="url" required value={url} onChange={(event) => setUrl(event.target.value)} />
      <label htmlFor={`${id}-token`}>Registry token (empty keeps the current one)</label>
      <input
        id={`${id}-token`}
        type="password"
        autoComplete="off"
        value={token}
        disabled={clearToken}
        onChange={(event) => setToken(event.target.value)}
      />
      <label className="check">
        <input type="checkbox" checked={clearToken} onChange={(event) => setClearToken(event.target.checked)} /> Remove the stored token
      </label>
      <div className="form-actions">
        <button type="submit" disabled={saving.pending}>
          Save registry
        </button>
      </div>
      <ErrorText failure={saving.error} />
      <p aria-live="polite" className="ok">
        {saved ? 'Saved.' : ''}
      </p>
    </form>
  );
}
