// Placeholder until this section is built.
export function InstallPage() {
  return <h1>Install</h1>;
}
