// What the page hands the code editor. Monaco cannot run outside a real browser, so the page takes
// any editor with these props: Monaco in the console, a plain textarea in component tests.
import type { ComponentType } from 'react';

export interface ScriptEditorProps {
  /** The script's text when the editor mounts (and when the page replaces it). */
  value: string;
  onChange(value: string): void;
  /** The name the script runs as; the editor types it as that module kind. */
  filename: string;
  /** Ctrl/Cmd+Enter inside the editor. */
  onRun(): void;
  /** For the types routes (`GET /types...`, `Authorization: Bearer <token>`). */
  token: string;
  /** The install state's current tree: a change means other packages, hence other types. Undefined until known. */
  lockfileHash: string | null | undefined;
  /** Labels the editing area for assistive technology. */
  label: string;
}

export type ScriptEditor = ComponentType<ScriptEditorProps>;
