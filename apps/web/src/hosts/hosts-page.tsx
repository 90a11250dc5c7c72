// Placeholder until this section is built.
export function HostsPage() {
  return <h1>Hosts</h1>;
}
