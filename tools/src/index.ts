// Public surface of @spk/tools: the loopback test registry and its fixture packages, test servers,
// and the web console's build.
export { addRegistryUser } from './test-registry/add-user.ts';
export { craftPackage, type CraftedEntry } from './test-registry/craft-package.ts';
export { FIXTURES_DIR, listFixtures, orderForPublish, type FixtureRef } from './test-registry/list-fixtures.ts';
export { packFixture, type FixtureManifest, type PackedFixture } from './test-registry/pack-fixture.ts';
export {
  buildPublishDocument,
  packagePath,
  publishPackage,
  type PublishInput,
  type PublishOptions,
} from './test-registry/publish-package.ts';
export {
  seedFixtures,
  toFixtureIntegrities,
  type FixtureIntegrities,
  type SeededFixture,
  type SeedFixturesOptions,
} from './test-registry/seed-fixtures.ts';
export {
  startTestRegistry,
  type RegistryUser,
  type PublishedPackage,
  type PublishSource,
  type StartTestRegistryOptions,
  type TestRegistry,
} from './test-registry/start-registry.ts';
export { digestTarball, type TarballDigests } from './test-registry/tarball-digests.ts';
export { startRedirectingRegistry, type RedirectingRegistry, type SeenRequest } from './test-registry/redirecting-registry.ts';
export { PRIVATE_SCOPE, type PrivateScopes, type RegistryLogLevel } from './test-registry/verdaccio-config.ts';
export { freePort, REPO_ROOT, SERVER_BIN, spawnServer, type SpawnedServer, type SpawnServerOptions } from './testing/spawn-server.ts';
export { startSlowRegistryProxy, type SlowRegistryProxy } from './testing/slow-registry-proxy.ts';
export { runProcess, type ProcessResult } from './testing/run-process.ts';
export { makeTarball, type TarEntrySpec } from './testing/make-tarball.ts';
export { startLoopbackServer, type LoopbackServer } from './testing/loopback-http.ts';
export { AGENT_DEV_BIN, runAgentCommand, spawnAgent, type AgentCommandResult, type AgentLogLine, type SpawnAgentOptions, type SpawnedAgent } from './testing/spawn-agent.ts';
export { startBlobFaultProxy, type BlobFault, type BlobFaultProxy, type SeenBlobRequest } from './testing/blob-fault-proxy.ts';
export { createMemoryEditor, type MemoryEditor, type MemoryFile } from './testing/memory-editor.ts';
export {
  base64KeyForms,
  basicAuthForms,
  createCapture,
  describeLeaks,
  findSecrets,
  namedSecret,
  secretForms,
  type Capture,
  type CapturedText,
  type NamedSecret,
  type SecretLeak,
} from './testing/secret-grep.ts';
export { startGatedRegistry, type Gate, type GatedRegistry, type GatedRequest, type GateMode } from './testing/gated-registry.ts';
export { S3RVER_CREDENTIALS, startS3Server, type StartS3ServerOptions, type TestS3Server, type TestS3Settings } from './testing/s3-server.ts';
export { ensureWebBuilt, WEB_DIST_DIR, type EnsureWebBuiltOptions } from './build/web-build.mjs';
