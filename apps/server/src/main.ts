// Starts a core instance: config from env, the embedded database unless DATABASE_URL is set,
// the backend plugin, and the HTTP server; shuts down gracefully on SIGTERM/SIGINT.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createClusterHookBus, createScriptPackagesBackend, describeError, openDatabase, systemClock } from '@spk/backend';
import { acquireDataDirLock, prepareDataDir } from '@spk/reconciler';
import { adminTokenBanner, adminTokenFile, readAdminTokenFile, writeAdminTokenFile } from './admin-token.ts';
import { loadConfig } from './config.ts';
import { securePrivateContents } from './data-dir-security.ts';
import { createHttpServer } from './http-server.ts';
import { createLogger } from './logger.ts';
import { installProcessHandlers } from './process-handlers.ts';
import { createReadinessCheck } from './readiness.ts';
import { sweepInstallScratch } from './scratch-sweep.ts';
import { createWebConsole } from './web-console.ts';

const VERSION = '0.1.0';

async function main(): Promise<void> {
  // Everything this process creates is its user's alone, whatever umask it was started with.
  process.umask(0o077);
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  installProcessHandlers(logger, describeError);
  // Scripts run as another user pass through the data dir to their run dir and tree (never list it).
  await prepareDataDir(config.dataDir, { traversable: config.runs.runAsUser !== undefined });
  const lock = await acquireDataDirLock(config.dataDir, 'server');
  const swept = await sweepInstallScratch(config.dataDir);
  if (swept > 0) logger.info({ count: swept }, 'removed install scratch dirs left by a killed process');
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, pgliteTemplateDir: config.pgliteTemplateDir, logger });
  const hooks = createClusterHookBus(database, logger);
  const backend = createScriptPackagesBackend({
    database,
    logger,
    dataDir: config.dataDir,
    hooks,
    clock: systemClock,
  }, { blobDir: config.blobDir, hostId: config.hostId ?? `${hostname()}:${config.port}`, pollIntervalMs: config.pollIntervalMs, registryTimeoutMs: config.registryTimeoutMs,
    secretKey: config.secretKey,
    // `${VAR}` in an imported .npmrc's credentials comes from the server's environment, as npm's own does
    // (never the server's own settings: npmrc-values.ts).
    npmrcEnv: process.env,
    ...(config.agentHeartbeatMs ? { agentHeartbeatMs: config.agentHeartbeatMs } : {}),
    blobCacheBytes: config.blobCacheBytes,
    packumentCacheBytes: config.packumentCacheBytes,
    packumentMaxAgeMs: config.packumentMaxAgeMs,
    types: config.types,
    lifecycle: config.lifecycle,
    s3: config.s3,
    runs: {
      settings: config.runs.settings,
      ...(config.runs.runAsUser ? { runAsUser: config.runs.runAsUser } : {}),
    },
    installScripts: config.installScripts,
  });
  await backend.start();
  // After start() migrated; instances starting together take turns (a database lock), so a cluster
  // without tokens gets exactly one generated admin token.
  const tokenFile = adminTokenFile(config.dataDir);
  const tokens = await backend.bootstrapAdminTokens({
    envToken: config.adminToken,
    fileToken: await readAdminTokenFile(tokenFile),
    saveGenerated: (token) => writeAdminTokenFile(tokenFile, token),
  });
  const banner = adminTokenBanner(tokens, tokenFile);
  for (const warning of banner.warnings) logger.warn(warning);
  await hooks.start();
  // After the database is open: PGlite copies a new database's files in with mode 0666.
  await securePrivateContents(config.dataDir);
  const readiness = createReadinessCheck({
    ping: () => database.ping(),
    ...(database.driver === 'pglite' ? { lockHeld: lock.held } : {}),
    logger,
  });
  const webConsole = createWebConsole(config.webDir);
  const server = await createHttpServer(backend, logger, { version: VERSION, readiness: readiness.check, webConsole });
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, driver: database.driver, dataDir: config.dataDir }, 'script-packages server listening');
  const consoleBuilt = await webConsole.isBuilt();
  if (consoleBuilt) logger.info({ webDir: webConsole.dir }, 'serving the web console at /');
  else logger.warn({ webDir: webConsole.dir }, 'the web console is not built (no index.html there): / answers 404 until `npm run build` builds it, or SPK_WEB_DIR names a built console');
  // Human-facing start banner on stdout; the token is printed only when it was just generated.
  process.stdout.write(`\nScript packages server: ${url}  (database: ${database.driver === 'pglite' ? `embedded PGlite in ${config.dataDir}/pglite` : 'PostgreSQL'})\n`);
  process.stdout.write(`Web console: ${consoleBuilt ? `${url}/  (sign in with an API token)` : `not built; run \`npm run build\` (looked in ${webConsole.dir})`}\n`);
  process.stdout.write(`${banner.lines.join('\n')}\n\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close();
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 5_000).unref();
    try {
      await hooks.stop();
      await backend.stop();
      await database.close();
      await lock.release();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`script-packages server failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
