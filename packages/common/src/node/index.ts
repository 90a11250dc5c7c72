// `@spk/common/node`: the Node-only part of the shared package (npm's own parsers, which need
// Node built-ins). Browsers import the root, which has no such dependency.
export { legacyNameReason, npmRegistrySpecType, npmSpecProblem } from './npm-spec.ts';
