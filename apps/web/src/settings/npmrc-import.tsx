// Replaces the registry configuration with an .npmrc's registry settings. The text may hold tokens,
// so it is cleared as soon as the server has taken it; what was not imported comes back as warnings.
import { useId, useState, type FormEvent } from 'react';
import type { RegistryConfig } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useAction } from '../ui/hooks.ts';

export function NpmrcImport({ onImported }: { onImported(config: RegistryConfig): void }) {
  const { client } = useSession();
  const id = useId();
  const [text, setText] = useState('');
  const [warnings, setWarnings] = useState<string[] | null>(null);
  const importing = useAction((npmrc: string) => client.registry.importNpmrc({ npmrc }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setWarnings(null);
    const result = await importing.run(text);
    if (!result) return;
    setText('');
    setWarnings(result.warnings);
    onImported(result.config);
  }

  return (
    <form className="settings-form" onSubmit={(event) => void submit(event)}>
      <h3>Import .npmrc</h3>
      <p className="muted">Replaces the whole registry configuration. Credentials may use ${'{ENV}'} from the server's environment.</p>
      <label htmlFor={`${id}-npmrc`}>.npmrc contents</label>
      <textarea
        id={`${id}-npmrc`}
        rows={6}
        spellCheck={false}
        autoComplete="off"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder={'registry=https://registry.example.com/\n@acme:registry=https://npm.acme.example/\n//npm.acme.example/:_authToken=${ACME_TOKEN}'}
      />
      <div className="form-actions">
        <button type="submit" disabled={importing.pending || text.trim() === ''}>
          Import .npmrc
        </button>
      </div>
      <ErrorText failure={importing.error} />
      <div aria-live="polite">
        {warnings !== null &&
          (warnings.length === 0 ? (
            <p className="ok">Imported; every key was taken.</p>
          ) : (
            <div className="warnings">
              <p>Imported. Keys not imported:</p>
              <ul aria-label="Keys not imported">
                {warnings.map((warning, i) => (
                  <li key={i}>{warning}</li>
                ))}
              </ul>
            </div>
          ))}
      </div>
    </form>
  );
}
