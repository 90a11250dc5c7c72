// The Size caps panel: how large a package and a whole installed set may be. Shown in KiB/MiB/GiB;
// with `manage`, a form sends bytes back and puts each of the API's field errors beside its field.
import { useState } from 'react';
import type { SizeCaps } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { formatBytes } from '../ui/format.ts';
import { useApi } from '../ui/hooks.ts';
import { CAP_FIELDS } from './cap-fields.ts';
import { SizeCapsForm } from './size-caps-form.tsx';

export function SizeCapsPanel({ manage }: { manage: boolean }) {
  const { client } = useSession();
  const loaded = useApi(() => client.sizeCaps.get(), [client]);
  const [fresh, setFresh] = useState<SizeCaps | null>(null);
  const [saved, setSaved] = useState(false);
  const caps = fresh ?? loaded.data;
  return (
    <section className="settings-panel" aria-labelledby="settings-size-caps">
      <h2 id="settings-size-caps">Size caps</h2>
      <ErrorText failure={loaded.error} />
      {loaded.loading && !caps && <p aria-live="polite">Loading the size caps…</p>}
      {caps && !manage && (
        <dl className="facts">
          {CAP_FIELDS.map((field) => (
            <div key={field.key} className="fact">
              <dt>{field.label}</dt>
              <dd>
                {formatBytes(caps[field.key])} <span className="muted">({field.hint})</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {caps && manage && <SizeCapsForm key={JSON.stringify(caps)} caps={caps} onSaved={(next) => {
            setFresh(next);
            setSaved(true);
          }} />}
      {manage && (
        <p aria-live="polite" className="ok">
          {saved ? 'Size caps saved.' : ''}
        </p>
      )}
    </section>
  );
}
