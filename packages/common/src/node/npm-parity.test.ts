// The root's pure name and spec checks must agree with npm's own parsers (validate-npm-package-name,
// npm-package-arg), which the backend uses as the second, authoritative check. A broad corpus of
// names and specs runs through both; each disagreement is listed, so a failure says what differs.
import { builtinModules } from 'node:module';
import npa from 'npm-package-arg';
import validateName from 'validate-npm-package-name';
import { describe, expect, it } from 'vitest';
import { checkPackageName, checkPackageRange, nonRegistrySpecKind, registrySpecType } from '../package-spec.ts';
import { packageNameProblems } from '../package-name.ts';
import { specKindLabel } from '../spec-kind-label.ts';
import { legacyNameReason, npmRegistrySpecType, npmSpecProblem } from './index.ts';

const NAMES = [
  // valid for new packages
  'zod', 'left-pad', 'a', 'a.b', 'a_b', 'a-b-c', '123', 'jsonstream', 'node', 'x'.repeat(214), '@types/node', '@aws-sdk/client-s3',
  '@a/b', '@scope/a.b', '@s/x_y', 'pkg-', 'pkg.', 'a..b', '$', 'a$b', 'a+b', 'a;b', 'a=b', 'a,b', 'a&b', '@scope/@x',
  // valid only for legacy packages
  'JSONStream', 'Zod', '@Scope/Pkg', '@scope/Pkg', 'http', 'fs', 'HTTP', 'events', 'punycode', 'x'.repeat(215), 'a~b', "a'b", 'a!b',
  'a(b)', 'a*b', '@scope/a~b', '@scope/a!', '~x', '@s~/x', 'process', 'sys', 'test', 'wasi', 'sea', 'sqlite',
  // invalid
  '', ' ', ' zod', 'zod ', '.zod', '_zod', '_http_agent', '_stream_duplex', 'node_modules', 'NODE_MODULES', 'favicon.ico', 'Favicon.ICO',
  'bad name', 'Bad Name!', 'a/b', 'a/b/c', '@scope/', '@/x', '@', '@scope', '@scope/.x', '@scope/_x', '@scope/a b', '@sc ope/x',
  '@scope/x/y', 'a@b', 'a#b', 'a?b', 'a%20b', 'a:b', 'a\\b', 'ünïcode', 'é', '日本', 'a\tb', 'a\nb', '\u00a0x', 'x\u00a0', '.', '..',
  '...', '/x', 'x/', './x', '../x', '~/x', 'C:\\x', 'file:x', 'npm:zod', 'github:a/b', 'https://x.org/a.tgz', 'git+ssh://git@github.com/a/b.git',
  'a.tgz', 'a.tar.gz', 'a.tar', '@scope/a.tgz', 'x'.repeat(215) + ' ', 'A'.repeat(300),
];

const RANGES = [
  // registry: version, range, tag
  '1.2.3', 'v1.2.3', '=1.2.3', ' 1.2.3 ', '1.2.3-beta.1', '1.2.3+build', '01.2.3', '1.2', '1', '^1.2.3', '~1.2', '>=1 <3', '1 - 2', '1.x', '*',
  'x', '', '  ', '>1.0.0 || <0.5', '^1 || ^2', '1.2.3 - 2.3.4', '~> 1.2', '<=2', 'latest', 'next', 'beta-1', 'v2-rc', 'a.b', 'LATEST',
  '~', '^', 'x.x.x', '>=', 'latest!', "it's", '(tag)', 'a*', 'legacy~tag', 'next_1', '1.2.3.4', 'true', 'null', 'undefined', '#', '#x',
  // not usable at all
  'not a tag', 'tag?', 'tag%', 'a&b', 'ünï', 'tag\tx', '[1]', '{1}', 'a|b', 'a"b', 'a<b>', 'a^b', 'a`b', '1.2.3 foo',
  // alias
  'npm:zod', 'npm:zod@3', 'npm:@scope/pkg@^1', 'NPM:zod@1', 'npm:', 'npm:^1', 'npm:npm:zod@1', 'npm:github:a/b', 'npm:./x', 'npm:bad name@1',
  'npm:zod@not a tag', 'npm:zod@git+https://x.org/a.git', 'npm:a/b',
  // local
  'file:../x', 'file:x', 'file:x.tgz', 'FILE:x.tar.gz', 'file:/abs', 'file:///abs', 'file://host/x', 'file:~/x', './x', '../x', '../x.tgz', '.',
  '..', '.x', '/x', '/x.tar', '~/x', '~/x.tgz', 'C:\\x', 'c:/x', 'x.tgz', 'x.TGZ', 'x.tar', 'sub/x.tgz', 'a/b/c', 'a/b/', '/', '~', '~x', 'file:',
  // hosted git
  'a/b', 'a/b#main', 'a/b#semver:^1', 'a/b#v1::path:sub', 'user/repo.git', 'github:a/b', 'github:a/b#v1', 'GITHUB:a/b', 'github:a', 'gitlab:a/b',
  'gitlab:group/sub/proj', 'bitbucket:a/b', 'gist:11081aaa281', 'gist:user/11081aaa281', 'sourcehut:~u/r', 'github:a/b#v1::v2',
  'github:a/b#semver:^1::semver:^2', 'github:a/b#v1::semver:^1', 'github:a/b#semver:^1::v1', 'github:a/b#path:x::path:y', 'github:a/b#%E0%A4%A',
  'git@github.com:a/b.git', 'git@github.com:a/b', 'git@gitlab.com:g/s/p.git#x', 'git@bitbucket.org:a/b.git', 'git@gist.github.com:123.git',
  'git+ssh://git@github.com/a/b.git', 'git+ssh://git@github.com:a/b.git', 'git+https://github.com/a/b.git', 'git+https://user:tok@github.com/a/b.git',
  'git://github.com/a/b.git', 'git://gitlab.com/a/b.git', 'ssh://git@github.com/a/b', 'https://github.com/a/b', 'https://github.com/a/b.git',
  'https://www.github.com/a/b', 'https://github.com/a/b/tree/main', 'https://github.com/a/b/tree', 'https://github.com/a/b/blob/main/x.js',
  'https://github.com/a', 'https://github.com/', 'http://github.com/a/b', 'https://gitlab.com/a/b', 'https://gitlab.com/g/s/p.git',
  'https://gitlab.com/a/b/-/archive/x.tar.gz', 'https://gitlab.com/a', 'http://gitlab.com/a/b', 'https://bitbucket.org/a/b',
  'https://bitbucket.org/a/b/get/x.tar.gz', 'https://gist.github.com/123', 'https://gist.github.com/u/123', 'https://gist.github.com/u/123/raw/x',
  'https://gist.github.com/', 'https://git.sr.ht/~u/r', 'https://git.sr.ht/~u/r/archive/v1.tar.gz', 'git+ssh://git@git.sr.ht/~u/r',
  'https://codeload.github.com/a/b/tar.gz/main', 'github:a/b#semver:%ZZ',
  // other git
  'git+https://git.example.com/a/b.git', 'git+https://git.example.com/a/b.git#v1', 'git+http://x.org/a.git', 'git://x.org/a',
  'git+ssh://git@x.org:a/b.git', 'git+ssh://git@x.org:22/a.git', 'git+ssh://git@x.org:22', 'git+file:///tmp/repo', 'git+rsync://x.org/a',
  'git+ftp://x.org/a', 'user@x.org:a/b.git', 'git@x.org:a/b#v1::v2', 'GIT+HTTPS://x.org/a.git',
  // tarball URLs and other URLs
  'https://x.org/a.tgz', 'http://x.org/a', 'https://registry.npmjs.org/zod/-/zod-3.0.0.tgz', 'HTTPS://X.ORG/A.TGZ', 'https://', 'http://[::1',
  'ftp://x.org/a.tgz', 'ws://x.org', 'mailto:x@y.org', 'data:x', 'javascript:alert(1)', 'a:b', 'ab:c', 'zz:top',
];

const SAMPLE_NAMES = ['zod', '@scope/pkg', 'JSONStream', 'http', 'bad name', '_x', ''];

function npmName(name: string) {
  const result = validateName(name);
  return { errors: result.errors ?? [], warnings: result.warnings ?? [], validForNew: result.validForNewPackages, validForOld: result.validForOldPackages };
}

const isCoreModuleWarning = (warning: string): boolean => warning.endsWith(' is a core module name');

/** The old npm-backed whole-argument check: the kind npm-package-arg names, or null. */
function npmNonRegistrySpecKind(arg: string): string | null {
  let parsed: npa.Result;
  try {
    parsed = npa(arg);
  } catch {
    return null;
  }
  if (['version', 'range', 'tag'].includes(parsed.type)) return null;
  return specKindLabel(parsed.type, parsed.type === 'git' ? parsed.hosted?.type : undefined);
}

/** Strings built from the pieces specs are made of, by a fixed-seed generator: the corners no list thinks of. */
function generatedCorpus(count: number): string[] {
  const pieces = [
    '@', '/', ':', '#', '.', 'git', '+', 'ssh', 'https', 'http', 'github.com', 'gitlab.com', 'gist.github.com', 'git.sr.ht', 'bitbucket.org',
    'www.', '~', ' ', '.tgz', '.tar', 'a', 'b', '1', '2.3', '^', '-', '//', 'npm:', 'file:', 'github:', 'gist:', 'tree', 'raw', 'get',
    'archive', '-/', '%', '%2F', '::', 'semver:', 'path:', 'C:', '\\', 'x.org', 'A', '_', '*', '!', '(', '>=', '||', 'latest', 'v', '\t', 'é', '22',
  ];
  let state = 42;
  const next = (below: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * below);
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(7) }, () => pieces[next(pieces.length)]).join(''));
}
const GENERATED = generatedCorpus(5_000);

const ARGUMENTS = [
  ...NAMES,
  ...RANGES,
  ...SAMPLE_NAMES.flatMap((name) => RANGES.map((range) => `${name}@${range}`)),
  ...NAMES.map((name) => `${name}@1`),
];

describe('the pure root agrees with npm', () => {
  it('on which names are valid, which are legacy-only, and npm\'s reasons', () => {
    const disagreements: unknown[] = [];
    for (const name of NAMES) {
      const npm = npmName(name);
      const pure = packageNameProblems(name);
      const npmLegacy = npm.warnings.filter((w) => !isCoreModuleWarning(w));
      const pureChecked = checkPackageName(name);
      const agrees =
        JSON.stringify(pure.errors) === JSON.stringify(npm.errors) &&
        JSON.stringify(pure.legacyWarnings) === JSON.stringify(npmLegacy) &&
        (pureChecked === null) === npm.validForOld &&
        // legacy-only: valid for old packages, not for new, by a rule the root applies or by the core-module rule
        (npm.validForOld && !npm.validForNew) === (pure.errors.length === 0 && (pure.legacyWarnings.length > 0 || builtinModules.includes(name.toLowerCase()))) &&
        (legacyNameReason(name) !== null) === (npm.validForOld && !npm.validForNew);
      if (!agrees) disagreements.push({ name, npm, pure, pureChecked });
    }
    expect(disagreements).toEqual([]);
  });

  it('on the words of a refused name, except the core-module warning only Node knows', () => {
    const disagreements: unknown[] = [];
    for (const name of NAMES) {
      const npm = npmName(name);
      if (npm.validForOld || npm.warnings.some(isCoreModuleWarning)) continue;
      const expected = npmNonRegistrySpecKind(name)
        ? `"${name}" is ${npmNonRegistrySpecKind(name)}, not a package name;`
        : `"${name}" is not a valid npm package name: ${[...npm.errors, ...npm.warnings].join('; ')}`;
      const actual = checkPackageName(name);
      if (!actual?.startsWith(expected)) disagreements.push({ name, expected, actual });
    }
    expect(disagreements).toEqual([]);
  });

  it('on registry kind (version, range, tag) or not, and the kind and words of every refused spec', () => {
    const disagreements: unknown[] = [];
    for (const name of SAMPLE_NAMES) {
      for (const range of RANGES) {
        const npmType = npmRegistrySpecType(name, range);
        const pureType = registrySpecType(name, range);
        const npmProblem = npmSpecProblem(name, range);
        const pureProblem = checkPackageRange(name, range);
        if (npmType !== pureType || npmProblem !== pureProblem) disagreements.push({ name, range, npmType, pureType, npmProblem, pureProblem });
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('on the kind of a whole argument as npm install reads it', () => {
    const disagreements = ARGUMENTS.flatMap((arg) => {
      const npm = npmNonRegistrySpecKind(arg);
      const pure = nonRegistrySpecKind(arg);
      return npm === pure ? [] : [{ arg, npm, pure }];
    });
    expect(ARGUMENTS.length).toBeGreaterThan(1500);
    expect(disagreements).toEqual([]);
  });

  it('on a generated corpus: valid names, registry kind of a range, and the kind of a whole argument', () => {
    const disagreements = GENERATED.flatMap((text) => {
      const found: unknown[] = [];
      const npmValid = npmName(text).validForOld;
      if (npmValid !== (checkPackageName(text) === null)) found.push({ name: text, npmValid });
      const npmType = npmRegistrySpecType('zod', text);
      const pureType = registrySpecType('zod', text);
      if (npmType !== pureType) found.push({ range: text, npmType, pureType });
      const npmKind = npmNonRegistrySpecKind(text);
      const pureKind = nonRegistrySpecKind(text);
      if (npmKind !== pureKind) found.push({ arg: text, npmKind, pureKind });
      return found;
    });
    expect(new Set(GENERATED.map((text) => npmNonRegistrySpecKind(text))).size).toBeGreaterThanOrEqual(8);
    expect(disagreements).toEqual([]);
  }, 30_000);

  it('sees every kind of spec in the corpus, so the comparison covers them all', () => {
    const kinds = new Set(RANGES.map((range) => npmRegistrySpecType('zod', range) ?? npmSpecProblem('zod', range)?.replace(/;.*$/, '').replace(/^"[^"]*" is /, '')));
    for (const kind of ['version', 'range', 'tag', 'an alias (npm:) spec', 'a local directory (file:) spec', 'a local tarball (file:) spec', 'a tarball URL spec', 'a git spec']) {
      expect(kinds).toContain(kind);
    }
    for (const host of ['GitHub', 'GitLab', 'Bitbucket', 'GitHub gist', 'sourcehut']) expect(kinds).toContain(`a git spec (${host})`);
    expect([...kinds].some((kind) => kind?.startsWith('not a valid version range'))).toBe(true);
  });
});

describe('the Node-only helpers', () => {
  it('name the legacy-only rule a name breaks, the core-module one included', () => {
    expect(legacyNameReason('JSONStream')).toBe('name can no longer contain capital letters');
    expect(legacyNameReason('http')).toBe('http is a core module name');
    expect(legacyNameReason('jsonstream')).toBeNull();
    expect(legacyNameReason('bad name')).toBeNull();
  });

  it('read specs with npm-package-arg', () => {
    expect(npmRegistrySpecType('zod', '^3')).toBe('range');
    expect(npmRegistrySpecType('zod', 'github:a/b')).toBeNull();
    expect(npmSpecProblem('zod', 'latest')).toBeNull();
    expect(npmSpecProblem('zod', 'git+ssh://git@github.com/a/b.git')).toMatch(/^"git\+ssh:\/\/git@github.com\/a\/b.git" is a git spec \(GitHub\); only registry specs are allowed/);
  });
});
