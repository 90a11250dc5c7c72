// Placeholder until this section is built.
export function EditorPage() {
  return <h1>Script editor</h1>;
}
