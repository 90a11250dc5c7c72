// `spk-agent` as a daemon: a private, locked data dir; the reconciler fed by blob downloads from
// the core; the agent loop over the contract client; tree GC after every flip and on a timer,
// keeping what the core's kept history needs; SIGTERM/SIGINT stop it cleanly (exit 0).
import { hostname } from 'node:os';
import { acquireDataDirLock, createReconciler, createScriptRunner, prepareDataDir } from '@spk/reconciler';
import { createAgentClient } from './agent-client.ts';
import { createAgentLoop } from './agent-loop.ts';
import { createBlobFetcher } from './blob-fetch.ts';
import type { AgentConfig } from './config.ts';
import { createJsonLogger } from './logger.ts';
import { createSatelliteLoopDeps, type PullMeter } from './satellite-loop-deps.ts';
import { AGENT_VERSION } from './version.ts';

/** How long a SIGTERM waits for a running reconcile before abandoning it (the reconciler is crash-safe). */
const STOP_GRACE_MS = 10_000;

export async function runDaemon(config: AgentConfig, write: (line: string) => void): Promise<number> {
  // Trees, cache and run dirs are this user's alone, whatever umask the agent was started with.
  process.umask(0o077);
  const logger = createJsonLogger({ write, secrets: [config.token] });
  // Install scripts run as another user pass through the data dir to their tree (never list it).
  await prepareDataDir(config.dataDir, { traversable: config.installScripts.runAsUser !== undefined });
  const lock = await acquireDataDirLock(config.dataDir, 'agent');
  // Runs that `spk-agent run` processes left when they were killed still pin their trees. With
  // SPK_RUN_AS_USER this also checks that user (and that the agent runs as root), so a setting
  // install scripts would refuse stops the start instead of every later reconcile.
  const { runAsUser } = config.installScripts;
  const reaped = await createScriptRunner({ dataDir: config.dataDir, ...(runAsUser ? { runAsUser } : {}) }).prepare();
  if (reaped.killed > 0 || reaped.removed > 0) logger.warn('reaped script runs left by killed processes', { ...reaped });

  const meter: PullMeter = { bytes: 0 };
  const fetchBlob = createBlobFetcher({ serverUrl: config.serverUrl, token: config.token, onBytes: (count) => (meter.bytes += count) });
  /** What the core's kept history needs, from its last answer; null until it said (every cache entry stays). */
  let retained: ReadonlySet<string> | null = null;
  const reconciler = createReconciler({
    dataDir: config.dataDir,
    fetchBlob,
    logger,
    installScripts: config.installScripts,
    treeGc: { graceMs: config.treeGc.graceMs, runTimeoutMs: config.runTimeoutMs, retainedIntegrities: async () => retained },
  });
  const loop = createAgentLoop(
    createSatelliteLoopDeps({ client: createAgentClient(config), reconciler, meter, onRetained: (integrities) => (retained = integrities), logger }),
    {
      hostId: config.hostId,
      agentVersion: AGENT_VERSION,
      hostname: hostname(),
      heartbeatMs: config.heartbeatMs,
      ...(config.pollIntervalMs === undefined ? {} : { pollIntervalMs: config.pollIntervalMs }),
    },
  );

  const stopped = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info('spk-agent starting', { version: AGENT_VERSION, server: config.serverUrl, dataDir: config.dataDir, hostId: config.hostId ?? null });
  // Passes never throw: what failed is logged by the reconciler and reported in the next disk report.
  let gcPass: Promise<unknown> = Promise.resolve();
  const gcTimer = setInterval(() => (gcPass = reconciler.collect()), config.treeGc.intervalMs);
  // A signal during the first reconcile stops the agent too; start() failing (an unreadable data dir) ends it.
  const signal = await Promise.race([stopped, loop.start().then(() => (gcPass = reconciler.collect())).then(() => stopped)]);
  logger.info('stopping', { signal });
  clearInterval(gcTimer);
  await loop.stop(STOP_GRACE_MS);
  await gcPass;
  await lock.release();
  logger.info('stopped', { lockfileHash: loop.status().lockfileHash });
  // An abandoned download may still hold a socket: it must not keep a stopped agent alive.
  setTimeout(() => process.exit(0), 1_000).unref();
  return 0;
}
