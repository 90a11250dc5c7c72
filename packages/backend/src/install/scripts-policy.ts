// What `installScripts.get/allow/disallow` answer: the allowed names (the policy the next install
// applies) next to the packages of the desired tree that have install scripts and whether hosts
// run them there (the manifest's `scriptsAllowed`, fixed when that tree was installed).
import type { Manifest, ScriptsPolicy } from '@spk/common';
import type { AllowedScripts, ScriptsPolicyStore } from '../stores/scripts-policy-store.ts';

export function scriptsPolicyView(allowed: readonly AllowedScripts[], manifest: Manifest): ScriptsPolicy {
  return {
    allowed: [...allowed],
    withScripts: manifest
      .filter((entry) => entry.hasInstallScript)
      .map((entry) => ({ name: entry.name, version: entry.version, path: entry.path, allowed: entry.scriptsAllowed === true }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}

export interface ScriptsPolicyDeps {
  store: Pick<ScriptsPolicyStore, 'list' | 'allow' | 'disallow'>;
  /** The desired tree's manifest (empty before the first install). */
  desiredManifest(): Promise<Manifest>;
}

export function createScriptsPolicy(deps: ScriptsPolicyDeps) {
  const view = async () => scriptsPolicyView(await deps.store.list(), await deps.desiredManifest());
  return {
    get: view,
    async allow(name: string): Promise<ScriptsPolicy> {
      await deps.store.allow(name);
      return view();
    },
    async disallow(name: string): Promise<ScriptsPolicy> {
      await deps.store.disallow(name);
      return view();
    },
  };
}

export type ScriptsPolicyApi = ReturnType<typeof createScriptsPolicy>;
