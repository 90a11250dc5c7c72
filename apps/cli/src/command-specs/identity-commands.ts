// `spk` commands: API tokens and satellite identities. Part of the one command table (command-table.ts).
import type { CommandSpec } from '../command-table.ts';

export const IDENTITY_COMMANDS: readonly CommandSpec[] = [
  {
    words: ['tokens', 'create'],
    args: ['name'],
    usage: 'spk tokens create <name> [--read-only]',
    summary: 'create a named API token and print it, this once only',
    details: [
      'The token alone goes to stdout (so TOKEN=$(spk tokens create ci) works), what it is to stderr;',
      'with --json, the whole record. The server keeps only a hash of it: it cannot be shown again, so',
      'store it now. Every server of the cluster accepts it at once. Needs an admin token.',
    ],
    options: [{ name: 'read-only', help: 'the token may read (list, status, get) but change nothing: every other call answers 403' }],
    examples: ['spk tokens create ci-deploy', 'spk tokens create dashboard --read-only --json'],
    build: ([name = ''], values) => ({ kind: 'tokens.create', name, readOnly: values['read-only'] === true }),
  },
  {
    words: ['tokens', 'list'],
    args: [],
    summary: 'list the API tokens: name, permissions, created, last used (never a token)',
    details: ['LAST USED is updated at most once a minute per token. Needs an admin token.'],
    options: [],
    examples: ['spk tokens list', 'spk tokens list --json'],
    build: () => ({ kind: 'tokens.list' }),
  },
  {
    words: ['tokens', 'revoke'],
    args: ['name'],
    summary: 'revoke a token: every server refuses it from the next request on',
    details: [
      'The last admin token cannot be revoked: create another admin token first. A revoked',
      'SPK_ADMIN_TOKEN stays revoked when a server restarts with it. Needs an admin token.',
    ],
    options: [],
    examples: ['spk tokens revoke ci-deploy'],
    build: ([name = '']) => ({ kind: 'tokens.revoke', name }),
  },
  {
    words: ['satellites', 'create'],
    args: ['name'],
    summary: 'create a satellite identity and print its token, this once only',
    details: [
      'The token alone goes to stdout (so TOKEN=$(spk satellites create dc2-probe) works); how to give it to',
      'spk-agent goes to stderr. With --json: {"name", "token"}. The server keeps only a hash of it, so store it',
      'now. A satellite token may only run spk-agent (desired state, watch, report, blob downloads); every',
      'other call answers 403. Needs an admin token.',
    ],
    options: [],
    examples: ['spk satellites create dc2-probe-1', 'spk satellites create dc2-probe-1 --json'],
    build: ([name = '']) => ({ kind: 'satellites.create', name }),
  },
  {
    words: ['satellites', 'list'],
    args: [],
    summary: 'list the satellite identities: name, created, last seen (never a token)',
    details: ['What each satellite runs is in `spk hosts`. Needs an admin token.'],
    options: [],
    examples: ['spk satellites list', 'spk satellites list --json'],
    build: () => ({ kind: 'satellites.list' }),
  },
  {
    words: ['satellites', 'revoke'],
    args: ['name'],
    summary: "revoke a satellite's token: every server refuses it at once and closes its open watch streams",
    details: ['To give that host a new token, create a satellite identity again. Needs an admin token.'],
    options: [],
    examples: ['spk satellites revoke dc2-probe-1'],
    build: ([name = '']) => ({ kind: 'satellites.revoke', name }),
  },
];
