// `spk` commands: size caps and script runs. Part of the one command table (command-table.ts).
import { DEFAULT_RUN_TIMEOUT_MS, RUN_SETTING_ENV, MAX_RUN_CONVERGENCE_WAIT_MS, MAX_RUN_TIMEOUT_MS } from '@spk/common';
import type { CommandSpec } from '../command-table.ts';
import { positiveMs, size } from '../command-values.ts';
import { secondsOption } from '../durations.ts';
import { UsageError } from '../usage-error.ts';

export const RUN_AND_CAPS_COMMANDS: readonly CommandSpec[] = [
  {
    words: ['caps', 'get'],
    args: [],
    summary: 'the size caps every install is checked against',
    options: [],
    examples: ['spk caps get', 'spk caps get --json'],
    build: () => ({ kind: 'caps.get' }),
  },
  {
    words: ['caps', 'set'],
    args: [],
    usage: 'spk caps set [--warn-total <size>] [--block-total <size>] [--max-package <size>]',
    summary: 'change the size caps; caps not given keep their value',
    details: [
      'Sizes are of the packed tarballs. They take a unit: B, KiB, MiB, GiB (powers of 1024) or kB, MB,',
      'GB (powers of 1000); a plain number is bytes. An install whose set is larger than the warn total',
      'succeeds with a warning; one larger than the block total, or with one package larger than the',
      'package cap, fails before anything is published.',
    ],
    options: [
      { name: 'warn-total', help: "warn when the whole set's tarballs add up to more than this" },
      { name: 'block-total', help: "refuse an install whose set's tarballs add up to more than this" },
      { name: 'max-package', help: 'refuse an install with one package tarball larger than this' },
    ],
    examples: ['spk caps set --warn-total 150MiB --block-total 300MiB', 'spk caps set --max-package 50MiB'],
    build: (_args, values) => {
      const caps = {
        warnTotalBytes: size(values['warn-total'], '--warn-total'),
        blockTotalBytes: size(values['block-total'], '--block-total'),
        maxPackageBytes: size(values['max-package'], '--max-package'),
      };
      if (Object.values(caps).every((value) => value === undefined)) {
        throw new UsageError('"spk caps set" needs at least one of --warn-total, --block-total, --max-package', 'caps set');
      }
      return { kind: 'caps.set', ...caps };
    },
  },
  {
    words: ['run'],
    args: ['file'],
    usage: 'spk run <file.mjs|.js|.cjs> [--timeout <ms>] [--wait-converged <seconds>]',
    summary: 'run a script on the server against its current tree; print its output and its result',
    details: [
      "The script's default export (awaited, for a promise) is its result; for CommonJS it is module.exports.",
      'The script\'s stdout and stderr are relayed, then "result: <JSON>" when it exports a value; a script',
      'that exports nothing prints only its output. With --json the whole run record is printed, where',
      '"hasResult" says whether there was a result. A script that throws exits 1 with the error.',
    ],
    options: [
      {
        name: 'timeout',
        help: `kill the script after this many milliseconds (default ${DEFAULT_RUN_TIMEOUT_MS}; at most the server's ${RUN_SETTING_ENV.maxTimeoutMs}, default ${MAX_RUN_TIMEOUT_MS})`,
      },
      {
        name: 'wait-converged',
        help: `if the server does not run the desired tree yet, wait up to this long for it instead of failing with NOT_CONVERGED (at most ${MAX_RUN_CONVERGENCE_WAIT_MS / 1000})`,
      },
    ],
    examples: ['spk run check.mjs', 'spk run check.mjs --timeout 120000 --json', 'spk run check.mjs --wait-converged 60'],
    build: ([file = ''], values) => ({
      kind: 'run',
      file,
      timeoutMs: positiveMs(values.timeout, '--timeout', 'run'),
      waitConvergedMs: secondsOption(values['wait-converged'], '--wait-converged', 'run', MAX_RUN_CONVERGENCE_WAIT_MS),
    }),
  },
];
