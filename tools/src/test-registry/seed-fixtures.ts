// Publishes every fixture version into a test registry, in dependency order, and reports what was
// stored so tests can compare the registry's answers (and anything downstream) with known digests.
import { listFixtures, FIXTURES_DIR } from './list-fixtures.ts';
import type { PublishedPackage, TestRegistry } from './start-registry.ts';
import { PRIVATE_SCOPE } from './verdaccio-config.ts';

export type SeededFixture = PublishedPackage;

/** `name@version` -> digests and size; plain data, so vitest can `provide` it to test files. */
export type FixtureIntegrities = Record<string, { integrity: string; shasum: string; size: number }>;

export interface SeedFixturesOptions {
  /** Token of a registry user; required to publish the `@spk-private` fixtures. */
  token?: string;
  fixturesDir?: string;
}

export async function seedFixtures(
  registry: Pick<TestRegistry, 'publish'>,
  options: SeedFixturesOptions = {},
): Promise<SeededFixture[]> {
  const fixtures = await listFixtures(options.fixturesDir ?? FIXTURES_DIR);
  const needsToken = fixtures.find((fixture) => fixture.name.startsWith(`${PRIVATE_SCOPE}/`));
  if (needsToken && !options.token) {
    throw new Error(`seeding ${needsToken.name} needs a token: ${PRIVATE_SCOPE} only accepts authenticated publishes`);
  }
  const seeded: SeededFixture[] = [];
  // One at a time: a later version must land after an earlier one for `latest` to be right.
  for (const fixture of fixtures) {
    seeded.push(await registry.publish(fixture.dir, options.token ? { token: options.token } : {}));
  }
  return seeded;
}

export function toFixtureIntegrities(seeded: SeededFixture[]): FixtureIntegrities {
  return Object.fromEntries(
    seeded.map(({ name, version, integrity, shasum, size }) => [`${name}@${version}`, { integrity, shasum, size }]),
  );
}
