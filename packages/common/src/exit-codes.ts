// The exit codes `spk` and `spk-agent` promise to scripts and CI. Tests, help text and docs read this
// table instead of repeating numbers, so a change here is a visible change of both commands' contract.
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  INVALID: 2,
  UNREACHABLE: 3,
  AUTH: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCode; name: keyof typeof EXIT; meaning: string }> = [
  { code: EXIT.OK, name: 'OK', meaning: 'success' },
  {
    code: EXIT.FAILURE,
    name: 'FAILURE',
    meaning: 'the server refused or failed the request (conflict, not found, install failed, script failed)',
  },
  {
    code: EXIT.INVALID,
    name: 'INVALID',
    meaning: 'usage error or invalid input (bad arguments, refused package spec, server-side validation)',
  },
  { code: EXIT.UNREACHABLE, name: 'UNREACHABLE', meaning: 'the server could not be reached or is not an spk server' },
  { code: EXIT.AUTH, name: 'AUTH', meaning: 'missing, wrong or insufficient token (HTTP 401/403)' },
];
