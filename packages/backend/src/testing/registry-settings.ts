// Registry configurations for tests: the settings of a fresh server (npm's defaults, as the schema
// gives them) and the view `registry.get` answers for them, each field overridable. Backend and
// CLI tests build theirs here, so none of them spells the whole configuration out.
import { DEFAULT_REGISTRY_TIMEOUT_MS, DEFAULT_REGISTRY_URL, registrySettingsSchema, type RegistryConfig, type RegistrySettings } from '@spk/common';
import { registryConfigView } from '../registry/registry-view.ts';

/** The settings a fresh server has, with `overrides` on top. */
export function registrySettings(overrides: Partial<RegistrySettings> = {}): RegistrySettings {
  return { ...registrySettingsSchema.parse({ registry: DEFAULT_REGISTRY_URL }), ...overrides };
}

/** What `registry.get` answers for a fresh server, with `overrides` on top. */
export function registryConfig(overrides: Partial<RegistryConfig> = {}): RegistryConfig {
  const view = registryConfigView(registrySettings(), { timeoutMs: DEFAULT_REGISTRY_TIMEOUT_MS, secretKeyId: '0123456789ab', updatedAt: null });
  return { ...view, ...overrides };
}
