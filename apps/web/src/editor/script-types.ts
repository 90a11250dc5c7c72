// Feeds the editor the declarations of exactly the packages installed on the core, through
// @spk/type-acquisition: each file a script's imports need becomes a Monaco extra lib, all of them
// are dropped when the tree changes, and the compiler options follow the tree (Node's types when
// installed). Kept apart from Monaco's setup so the wiring reads as the protocol it follows.
import { createTypeAcquisition, recommendedCompilerOptions, type TypeAcquisition } from '@spk/type-acquisition';

/** The part of Monaco's language defaults this uses (javascriptDefaults). */
export interface ExtraLibTarget {
  addExtraLib(content: string, filePath?: string): unknown;
  setExtraLibs(libs: { content: string; filePath?: string }[]): void;
}

export interface ScriptTypesOptions {
  token: string;
  target: ExtraLibTarget;
  setCompilerOptions(options: object): void;
  /** Why types are missing (null once they load again): shown under the editor. */
  onProblem(message: string | null): void;
}

export interface ScriptTypes {
  /** Call on every (debounced) change of the script. */
  acquire(source: string): void;
  /** The install state's lockfile hash is known or changed (null: nothing installed): drop the old tree's types and fetch `source`'s. */
  reset(lockfileHash: string | null, source: string): void;
  dispose(): void;
}

export function connectScriptTypes(options: ScriptTypesOptions): ScriptTypes {
  let disposed = false;
  /** Null until the install state names a committed tree: before that the server has no types to give (412). */
  let installed: string | null = null;
  options.setCompilerOptions(recommendedCompilerOptions);

  function refreshCompilerOptions(acquisition: TypeAcquisition): void {
    acquisition.compilerOptions().then(
      (compilerOptions) => {
        if (disposed) return;
        options.setCompilerOptions(compilerOptions);
        options.onProblem(null);
      },
      (error: unknown) => {
        if (disposed) return;
        const message = error instanceof Error ? error.message : String(error);
        options.onProblem(`Package types are unavailable (${message}); completions and checks cover only the language itself. Reload the page to try again.`);
      },
    );
  }

  const acquisition = createTypeAcquisition({
    serverUrl: '',
    token: options.token,
    onFiles(files) {
      if (disposed) return;
      for (const file of files) options.target.addExtraLib(file.content, file.path);
    },
    onReset() {
      if (disposed) return;
      options.target.setExtraLibs([]);
      refreshCompilerOptions(acquisition);
    },
  });

  return {
    acquire(source) {
      if (!disposed && installed !== null) void acquisition.acquire(source);
    },
    reset(lockfileHash, source) {
      if (disposed) return;
      installed = lockfileHash;
      acquisition.reset(lockfileHash);
      if (lockfileHash === null) {
        options.target.setExtraLibs([]);
        options.setCompilerOptions(recommendedCompilerOptions);
        options.onProblem('Nothing is installed yet: completions and checks cover the language only until the first install.');
        return;
      }
      refreshCompilerOptions(acquisition);
      void acquisition.acquire(source);
    },
    dispose() {
      disposed = true;
      options.target.setExtraLibs([]);
    },
  };
}
