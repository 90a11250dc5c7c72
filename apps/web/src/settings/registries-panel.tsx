// The Registries panel: where packages come from and with which credentials. With `manage`, the
// default registry can be set and an .npmrc imported; each answer replaces what is shown.
import { useState } from 'react';
import type { RegistryConfig } from '@spk/common';
import { useSession } from '../session/session.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { useApi } from '../ui/hooks.ts';
import { InstallScriptsPanel } from './install-scripts-panel.tsx';
import { NpmrcImport } from './npmrc-import.tsx';
import { RegistryConfigView } from './registry-config-view.tsx';
import { RegistryUrlForm } from './registry-url-form.tsx';

export function RegistriesPanel({ manage }: { manage: boolean }) {
  const { client } = useSession();
  const loaded = useApi(() => client.registry.get(), [client]);
  const [fresh, setFresh] = useState<RegistryConfig | null>(null);
  const config = fresh ?? loaded.data;
  return (
    <section className="settings-panel" aria-labelledby="settings-registries">
      <h2 id="settings-registries">Registries</h2>
      <ErrorText failure={loaded.error} />
      {loaded.loading && !config && <p aria-live="polite">Loading the registry configuration…</p>}
      {config && <RegistryConfigView config={config} />}
      {manage && config && (
        <div className="settings-forms">
          <RegistryUrlForm key={config.registry} config={config} onSaved={setFresh} />
          <NpmrcImport onImported={setFresh} />
        </div>
      )}
      <InstallScriptsPanel manage={manage} />
    </section>
  );
}
