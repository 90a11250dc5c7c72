// Placeholder until this section is built.
export function SettingsPage() {
  return <h1>Settings</h1>;
}
