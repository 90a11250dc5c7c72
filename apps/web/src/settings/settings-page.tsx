// The Settings section: registries (and install scripts), size caps, blob storage and garbage
// collection, one panel each. Every panel shows what the API reports; only a token with `manage`
// gets the controls to change it, and a read-only token is told so once, here.
import { useSession } from '../session/session.tsx';
import { GcPanel } from './gc-panel.tsx';
import { RegistriesPanel } from './registries-panel.tsx';
import { SizeCapsPanel } from './size-caps-panel.tsx';
import { StoragePanel } from './storage-panel.tsx';
import './settings.css';

export function SettingsPage() {
  const { can } = useSession();
  const manage = can('manage');
  return (
    <div className="settings">
      <h1>Settings</h1>
      {!manage && (
        <p className="settings-read-only" role="note">
          This token is read-only: the settings are shown, but changing them needs a token with the manage permission.
        </p>
      )}
      <RegistriesPanel manage={manage} />
      <SizeCapsPanel manage={manage} />
      <StoragePanel manage={manage} />
      <GcPanel manage={manage} />
    </div>
  );
}
