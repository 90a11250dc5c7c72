// Types for the two npm libraries the registry client uses that ship none (and have no current
// @types package): only the calls we make, as their READMEs document them.

declare module 'npm-pick-manifest' {
  interface PickOptions {
    /** The tag a bare range falls back to (default `latest`). */
    defaultTag?: string;
    /** Node version checked against `engines` (default this process's). */
    nodeVersion?: string;
  }
  /**
   * The manifest npm would install for `wanted` (a range, version or tag) from a packument: the
   * `latest` tag when it satisfies, else the highest non-deprecated, engine-compatible match.
   * Throws an error with `code: 'ETARGET'` when nothing matches.
   */
  function pickManifest<M extends { version: string }>(
    packument: { name?: string; 'dist-tags'?: Record<string, string>; versions?: Record<string, M>; time?: Record<string, string> },
    wanted: string,
    options?: PickOptions,
  ): M;
  export = pickManifest;
}

declare module 'hosted-git-info' {
  interface GitHost {
    /** The repository's web page (`https://github.com/user/repo`). */
    browse(): string;
  }
  // CommonJS exporting a class: only its default import works under Node's ESM loader.
  const hostedGitInfo: {
    /** The hosted repository a URL or shortcut (`user/repo`, `github:user/repo`, `git+https://…`) names, or undefined. */
    fromUrl(url: string): GitHost | undefined;
  };
  export = hostedGitInfo;
}
