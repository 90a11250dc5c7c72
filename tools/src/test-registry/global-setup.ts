// vitest globalSetup for the `integration` project: one seeded registry per test run, shared by
// every integration test file through `inject('registryUrl' | 'registryToken' | 'fixtureIntegrities')`.
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { seedFixtures, toFixtureIntegrities } from './seed-fixtures.ts';
import { startTestRegistry } from './start-registry.ts';

const TEST_USER = 'spk-test';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const registry = await startTestRegistry();
  try {
    // A fresh random password per run: the token is the only credential tests should use.
    const token = await registry.addUser(TEST_USER, randomBytes(18).toString('base64url'));
    const seeded = await seedFixtures(registry, { token });
    project.provide('registryUrl', registry.url);
    project.provide('registryToken', token);
    project.provide('fixtureIntegrities', toFixtureIntegrities(seeded));
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return () => registry.stop();
}
