// Child process of bench:install: hosts one backend (PGlite, its own data dir) the way a server
// process would, declares the set, and runs central installs on request, each timed inside this
// process with its own peak RSS (the high-water mark reset before it).
import type { PackageSource } from './bench-support.ts';
import { openSetBackend, type SetBackend } from './installed-set.ts';
import { peakRssMiB, resetPeakRss } from './peak-rss.ts';
import { serveRequests } from './worker-process.ts';

export type InstallRequest =
  | { type: 'open'; registryUrl: string; token?: string; packages: string[] }
  | { type: 'install' }
  | { type: 'update'; name: string; range: string };

export interface InstallReply {
  ms: number;
  peakRssMiB: number;
  /** RSS before the install: the backend, PGlite and the code, idle. */
  baselineRssMiB: number;
  packages: number;
}

let backend: SetBackend | undefined;
const opened = () => {
  if (!backend) throw new Error('open the backend first');
  return backend;
};

async function handle(request: InstallRequest): Promise<InstallReply | null> {
  switch (request.type) {
    case 'open': {
      const source: PackageSource = { registryUrl: request.registryUrl, token: request.token, packages: request.packages, stop: async () => undefined };
      backend = await openSetBackend(source);
      return null;
    }
    case 'update':
      await opened().client.packages.update({ name: request.name, range: request.range });
      return null;
    case 'install': {
      await resetPeakRss();
      const baselineRssMiB = process.memoryUsage.rss() / 2 ** 20;
      const start = performance.now();
      const state = await opened().install();
      const ms = performance.now() - start;
      return { ms, peakRssMiB: await peakRssMiB(), baselineRssMiB, packages: state.manifest.length };
    }
    default:
      throw new Error(`unknown request ${JSON.stringify(request)}`);
  }
}

serveRequests(
  (message) => handle(message as unknown as InstallRequest),
  async () => backend?.close(),
);
