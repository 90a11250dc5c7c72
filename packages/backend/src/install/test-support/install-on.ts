// One central install in an installer test: trigger it, wait until the installer is idle, read
// what it left in install.state. `installedOn` also requires that it succeeded.
import { expect } from 'vitest';
import type { InstallState } from '@spk/common';
import type { TestBackend } from '../../testing/test-backend.ts';

export async function installOn(t: TestBackend): Promise<InstallState> {
  expect((await t.client.install.trigger()).started).toBe(true);
  await t.backend.installer.idle();
  return t.client.install.state();
}

export async function installedOn(t: TestBackend): Promise<InstallState> {
  const state = await installOn(t);
  expect(state.error).toBeNull();
  return state;
}
