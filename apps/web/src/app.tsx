// The console's shell: sign in first, then a header with who is signed in and what they may do,
// the section navigation, and the current section.
import { useEffect, useMemo, useState, type ComponentType } from 'react';
import { createApiClient } from './api/client.ts';
import { EditorPage } from './editor/editor-page.tsx';
import { HostsPage } from './hosts/hosts-page.tsx';
import { InstallPage } from './install/install-page.tsx';
import { PackagesPage } from './packages/packages-page.tsx';
import { SECTIONS, sectionFromHash, type SectionId } from './sections.ts';
import { sessionFor, SessionContext, TOKEN_STORAGE_KEY, type Session } from './session/session.tsx';
import { SignIn } from './session/sign-in.tsx';
import { SettingsPage } from './settings/settings-page.tsx';
import type { PrincipalInfo } from '@spk/common';

function useSection(): SectionId {
  const [section, setSection] = useState(() => sectionFromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setSection(sectionFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return section;
}

/** In-page jump past the navigation: a plain href="#main" would be read as a section address. */
function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main"
      onClick={(event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}
    >
      Skip to content
    </a>
  );
}

const PAGES: Record<SectionId, ComponentType> = {
  packages: PackagesPage,
  install: InstallPage,
  hosts: HostsPage,
  settings: SettingsPage,
  editor: EditorPage,
};

export function App() {
  const [signedIn, setSignedIn] = useState<{ token: string; principal: PrincipalInfo } | null>(null);
  const section = useSection();
  useEffect(() => {
    const label = SECTIONS.find((s) => s.id === section)?.label;
    document.title = signedIn && label ? `${label} · Script packages` : 'Script packages';
  }, [section, signedIn]);
  const session: Session | null = useMemo(() => {
    if (!signedIn) return null;
    return sessionFor(createApiClient(signedIn.token), signedIn.token, signedIn.principal, () => {
      sessionStorage.removeItem(TOKEN_STORAGE_KEY);
      setSignedIn(null);
    });
  }, [signedIn]);

  if (!session) {
    return (
      <main className="sign-in-page">
        <SignIn onSignedIn={(token, principal) => setSignedIn({ token, principal })} />
      </main>
    );
  }
  const Page = PAGES[section];
  return (
    <SessionContext.Provider value={session}>
      <SkipLink />
      <header className="top">
        <span className="brand">Script packages</span>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.id}>
                <a href={`#/${s.id}`} aria-current={s.id === section ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who" aria-label="Signed-in token">
          <span>
            Signed in as <strong>{session.principal.name}</strong>
          </span>
          <span className="may">
            {session.principal.readOnly ? 'read-only: may view, not change' : `may: ${session.principal.permissions.join(', ')}`}
          </span>
          <button type="button" className="quiet" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </SessionContext.Provider>
  );
}
