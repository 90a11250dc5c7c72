// The script being edited and its run settings survive a reload: kept in this browser's
// localStorage (not sessionStorage: a script is work in progress, not a credential). What is read
// back is checked, so a value written by another version or by hand falls back to the defaults.
import * as z from 'zod';
import { DEFAULT_RUN_TIMEOUT_MS } from '@spk/common';

export const SCRIPT_STORAGE_KEY = 'spk.editor.script';
export const SETTINGS_STORAGE_KEY = 'spk.editor.settings';

/** The file names a script may run as; the extension decides the module system (see runScriptInputSchema). */
export const SCRIPT_FILENAMES = [
  { filename: 'script.mjs', label: 'script.mjs (ES module)' },
  { filename: 'script.cjs', label: 'script.cjs (CommonJS)' },
  { filename: 'script.js', label: 'script.js (detected from its syntax)' },
] as const;

export type ScriptFilename = (typeof SCRIPT_FILENAMES)[number]['filename'];

export const DEFAULT_SCRIPT = `// Runs on the core instance against the installed packages: import them by name, e.g.
//   import { greet } from 'spk-fixture-typed';
// The default export's value (awaited) is the run's result. Ctrl+Enter (Cmd+Enter) runs it.

const started = new Date();

export default {
  message: 'hello from a script',
  startedAt: started.toISOString(),
};
`;

const settingsSchema = z.object({
  filename: z.enum(SCRIPT_FILENAMES.map((entry) => entry.filename) as [ScriptFilename, ...ScriptFilename[]]),
  timeoutSeconds: z.string().max(20),
});
export type EditorSettings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: EditorSettings = { filename: 'script.mjs', timeoutSeconds: String(DEFAULT_RUN_TIMEOUT_MS / 1000) };

/** localStorage, or null where it is unavailable (disabled storage throws on access). */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadScript(): string {
  return storage()?.getItem(SCRIPT_STORAGE_KEY) ?? DEFAULT_SCRIPT;
}

/** Best effort: a full or disabled storage loses the draft on reload, never the edit in progress. */
export function saveScript(source: string): void {
  try {
    storage()?.setItem(SCRIPT_STORAGE_KEY, source);
  } catch {
    // Quota exceeded or storage disabled: the script stays in the page, only persistence is lost.
  }
}

export function loadSettings(): EditorSettings {
  const raw = storage()?.getItem(SETTINGS_STORAGE_KEY);
  if (!raw) return DEFAULT_SETTINGS;
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : DEFAULT_SETTINGS;
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(settings: EditorSettings): void {
  try {
    storage()?.setItem(SETTINGS_STORAGE_KEY, JSON.stringify(settings));
  } catch {
    // As in saveScript.
  }
}
