// npm's package-name rules as a pure function, so the root of @spk/common (which browsers load)
// can validate names without a Node API. The one rule that needs Node (a core module's name is
// legacy-only) lives in `./node/` (legacyNameReason); npm-parity.test.ts keeps the two in step
// with validate-npm-package-name.

export interface NameProblems {
  /** Rules every name must follow; any of these makes the name invalid. */
  errors: string[];
  /** Rules only new packages must follow (a legacy package may break them), except the core-module rule. */
  legacyWarnings: string[];
}

const RESERVED_NAMES = ['node_modules', 'favicon.ico'];
const MAX_NAME_LENGTH = 214;
/** `@scope/name` or `name`: the only place a name may hold a `/` or its encoded `@`. */
const SCOPED_NAME = /^(?:@([^/]+?)[/])?([^/]+?)$/;

/** Whether `text` is left unchanged by encodeURIComponent (a lone surrogate is not: it cannot be encoded). */
export function isUrlSafe(text: string): boolean {
  try {
    return encodeURIComponent(text) === text;
  } catch {
    return false;
  }
}

/** The errors and legacy-only warnings npm reports for `name`, in npm's words and order. */
export function packageNameProblems(name: string): NameProblems {
  const errors: string[] = [];
  const legacyWarnings: string[] = [];
  if (name.length === 0) errors.push('name length must be greater than zero');
  if (name.startsWith('.')) errors.push('name cannot start with a period');
  if (name.startsWith('_')) errors.push('name cannot start with an underscore');
  if (name.trim() !== name) errors.push('name cannot contain leading or trailing spaces');
  for (const reserved of RESERVED_NAMES) {
    if (name.toLowerCase() === reserved) errors.push(`${reserved} is not a valid package name`);
  }

  if (name.length > MAX_NAME_LENGTH) legacyWarnings.push('name can no longer contain more than 214 characters');
  if (name.toLowerCase() !== name) legacyWarnings.push('name can no longer contain capital letters');
  if (/[~'!()*]/.test(name.split('/').at(-1) ?? '')) {
    legacyWarnings.push('name can no longer contain special characters ("~\'!()*")');
  }

  if (!isUrlSafe(name)) {
    const scoped = SCOPED_NAME.exec(name);
    const scope = scoped?.[1];
    const bare = scoped?.[2];
    if (bare?.startsWith('.')) errors.push('name cannot start with a period');
    const scopedAndSafe = scope !== undefined && bare !== undefined && isUrlSafe(scope) && isUrlSafe(bare);
    if (!scopedAndSafe) errors.push('name can only contain URL-friendly characters');
  }
  return { errors, legacyWarnings };
}
