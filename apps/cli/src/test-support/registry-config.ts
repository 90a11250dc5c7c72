// The CLI's command and format tests take a whole RegistryConfig from the backend's test support,
// the one place a fresh configuration is spelled out.
export { registryConfig } from '@spk/backend/testing';
