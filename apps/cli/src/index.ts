// The public surface of @spk/cli: run the command in-process, and the exit codes it promises.
export { main, runCli, type MainDeps } from './main.ts';
export { EXIT, EXIT_CODE_TABLE, type ExitCode } from './exit-codes.ts';
