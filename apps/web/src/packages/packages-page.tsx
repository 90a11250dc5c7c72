// Placeholder until this section is built.
export function PackagesPage() {
  return <h1>Packages</h1>;
}
