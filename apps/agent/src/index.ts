// @spk/agent: the satellite daemon. Its public surface is the command line; this entry is what the
// bins and the bundle start.
export { runAgentCli, type AgentCliIo } from './main.ts';
