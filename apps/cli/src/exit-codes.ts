// The exit codes `spk` promises to scripts and CI: shared with `spk-agent`, so they live in common.
export { EXIT, EXIT_CODE_TABLE, type ExitCode } from '@spk/common';
