// Types of web-build.mjs for TypeScript callers (the console's browser test, @spk/tools).

/** apps/web of this repository, and its build output. */
export const WEB_APP_DIR: string;
export const WEB_DIST_DIR: string;

export interface EnsureWebBuiltOptions {
  /** Build even when the stamp says dist/ is fresh. */
  force?: boolean;
  /** Called with the reason just before a build starts. */
  onBuild?: (reason: string) => void;
}

/** Builds apps/web/dist unless it was built from the sources as they are now; returns the dist directory. */
export function ensureWebBuilt(options?: EnsureWebBuiltOptions): Promise<string>;
