// What the integration global setup hands to test files through `inject(...)`. Kept free of imports
// from our code so any package's tsconfig can include this file (or `/// <reference path>` it)
// without pulling tools code into its program.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the seeded loopback registry, no trailing slash, e.g. `http://127.0.0.1:41234`. */
    registryUrl: string;
    /** Bearer token of a registry user allowed to read (and publish) `@spk-private/*`. */
    registryToken: string;
    /** Every seeded fixture, keyed `name@version` (e.g. `@spk-fixtures/scoped@1.0.0`). */
    fixtureIntegrities: Record<string, { integrity: string; shasum: string; size: number }>;
  }
}
