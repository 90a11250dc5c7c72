// `spk` commands: installing, following hosts, the history and rollback. Part of the one command table (command-table.ts).
import { DEFAULT_HISTORY_KEEP } from '@spk/common';
import type { CommandSpec } from '../command-table.ts';
import { hashRef, waitTimeout } from '../command-values.ts';

export const INSTALL_COMMANDS: readonly CommandSpec[] = [
  {
    words: ['install'],
    args: [],
    usage: 'spk install [--wait [--timeout <seconds>]]',
    summary: 'start a central install of the declared set',
    details: [
      'Without --wait it returns once the install has started; follow it with `spk status`.',
      'With --wait it prints "committed <hash> (...)" when the install commits, then waits until the server',
      'that answered runs that tree and prints "host <id> runs <hash> (converged in N s)", so `spk run`',
      'right after finds it. Behind a load balancer the next call may reach another server: give',
      '`spk run` --wait-converged to make the server that runs the script wait for the tree.',
    ],
    options: [
      { name: 'wait', help: 'follow the install to its end and until this server runs the new tree; exit 1 if either fails' },
      { name: 'timeout', value: '<seconds>', help: 'with --wait: give up after this long, install and convergence together (default 300; 90s, 5m also work)' },
    ],
    examples: ['spk install', 'spk install --wait', 'spk install --wait --timeout 10m'],
    build: (_args, values) => ({ kind: 'install', wait: values.wait === true, timeoutMs: waitTimeout(values, 'install') }),
  },
  {
    words: ['status'],
    args: [],
    summary: 'install state, size, warnings, last error, and whether every host runs the desired tree',
    details: [
      'The first line says in words whether every host runs the desired tree; hosts that have not',
      'reported for three poll intervals are stale and named with when they were last seen. It ends with',
      'the host table of `spk hosts`: core instances and satellites.',
    ],
    options: [],
    examples: ['spk status', 'spk status --json'],
    build: () => ({ kind: 'status' }),
  },
  {
    words: ['hosts'],
    args: [],
    summary: 'every host, core instances and satellites: the tree each runs, whether it is converged, lagging or stale',
    details: [
      'STATE is converged when the host runs the desired tree, lagging when it runs another or none, and',
      'stale when it has not reported for three poll intervals (it may be stopped, hung or cut off).',
      'For satellites it also shows the agent version, the hostname and what the last reconcile pulled.',
      'TREES and DISK (once hosts report them): the trees a host holds, with how many are retired (deleted',
      'after SPK_TREE_GC_GRACE_MS) or pinned by running scripts, and the bytes of its trees and package cache.',
    ],
    options: [],
    examples: ['spk hosts', 'spk hosts --json'],
    build: () => ({ kind: 'hosts' }),
  },
  {
    words: ['history'],
    args: [],
    summary: 'the desired states committed so far, newest first: hash, when, by whom, from an install or a rollback, size',
    details: [
      `The last SPK_HISTORY_KEEP (default ${DEFAULT_HISTORY_KEEP}) are kept, plus every pinned one; their blobs are never`,
      'collected, so `spk rollback <hash>` to any of them works without the registry. FLAGS: * marks the',
      'desired state, "pinned" one kept whatever the history length.',
    ],
    options: [],
    examples: ['spk history', 'spk history --json'],
    build: () => ({ kind: 'history' }),
  },
  {
    words: ['history', 'pin'],
    args: ['hash'],
    summary: 'keep a history entry (and its blobs) whatever the history length',
    details: ['<hash> is a full lockfile hash or a unique prefix of at least 7 hex digits. Needs an admin token.'],
    options: [],
    examples: ['spk history pin 3f9a1c0b7d2e'],
    build: ([hash = '']) => ({ kind: 'history.pin', hash: hashRef(hash, 'history pin'), pinned: true }),
  },
  {
    words: ['history', 'unpin'],
    args: ['hash'],
    summary: 'let a pinned history entry go once it is older than the kept length',
    details: ['<hash> is a full lockfile hash or a unique prefix of at least 7 hex digits. Needs an admin token.'],
    options: [],
    examples: ['spk history unpin 3f9a1c0b7d2e'],
    build: ([hash = '']) => ({ kind: 'history.pin', hash: hashRef(hash, 'history unpin'), pinned: false }),
  },
  {
    words: ['rollback'],
    args: ['hash'],
    usage: 'spk rollback <hash> [--wait [--timeout <seconds>]]',
    summary: 'make a state from `spk history` the desired state again, with the declared set it came from',
    details: [
      '<hash> is a full lockfile hash or a unique prefix of at least 7 hex digits. Nothing is resolved and',
      'the registry is not contacted: the blobs of every kept history entry are still in the blob store.',
      'The declared packages are restored as they were when that state was installed, and every host',
      'converges on it as after an install. Refused while an install, a blob GC or a storage migration runs.',
      'Needs an admin token.',
    ],
    options: [
      { name: 'wait', help: 'wait until every host that is not stale runs the tree; exit 1 if one does not in time' },
      { name: 'timeout', value: '<seconds>', help: 'with --wait: give up after this long (default 300; 90s, 5m also work)' },
    ],
    examples: ['spk rollback 3f9a1c0b7d2e', 'spk rollback 3f9a1c0b7d2e --wait --timeout 5m'],
    build: ([hash = ''], values) => ({ kind: 'rollback', hash: hashRef(hash, 'rollback'), wait: values.wait === true, timeoutMs: waitTimeout(values, 'rollback') }),
  },
];
