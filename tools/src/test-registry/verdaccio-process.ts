// Child-process entry that runs Verdaccio. Kept out of the test process so Verdaccio's logger,
// globals and open handles never leak into vitest workers. Binds 127.0.0.1 on a port the OS picks
// (no race between choosing and binding) and reports it to the parent over IPC.
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runServer } from 'verdaccio';

export interface RegistryChildMessage {
  type: 'listening';
  port: number;
}

const [configPath, ownedDir] = process.argv.slice(2);
if (!configPath || !ownedDir) throw new Error('usage: verdaccio-process.ts <config.yaml> <temp dir to remove if orphaned>');
if (!process.send) throw new Error('verdaccio-process.ts must be started with an IPC channel');

// If the parent dies without stopping us (vitest crash, an uncaught error), the IPC channel
// closes: clean up its temp dir and exit rather than linger and leak.
process.on('disconnect', () => {
  rmSync(ownedDir, { recursive: true, force: true });
  process.exit(0);
});
process.on('SIGTERM', () => process.exit(0));

const server = (await runServer(configPath)) as Server;
server.on('error', (error) => {
  process.stderr.write(`verdaccio could not listen: ${error.message}\n`);
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  const message: RegistryChildMessage = { type: 'listening', port };
  process.send?.(message);
});
