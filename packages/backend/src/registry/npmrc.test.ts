import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGISTRY_URL, isSpkError, type SpkError } from '@spk/common';
import { REPO_ROOT } from '@spk/tools';
import { registrySettings } from '../testing/registry-settings.ts';
import { makeSelfSignedCertificate } from '../testing/self-signed-certificate.ts';
import { parseNpmrc, type NpmrcFiles } from './npmrc.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const certA = makeSelfSignedCertificate('spk ca one');
const certB = makeSelfSignedCertificate('spk ca two');
// How npm's docs write a certificate in an .npmrc: in quotes, newlines as "\n".
const quoted = (pem: string) => JSON.stringify(pem.trim());
const noFiles: NpmrcFiles = {
  readFile: (file) => {
    throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  },
  homeDir: '/home/spk',
};

function refusal(run: () => unknown): SpkError {
  try {
    run();
  } catch (error) {
    if (isSpkError(error, 'INVALID_INPUT')) return error;
    throw error;
  }
  throw new Error('expected an INVALID_INPUT refusal');
}

describe('parseNpmrc', () => {
  it("imports the examples of docs/registries.md as they say (the placeholder certificates replaced by real ones)", () => {
    const docs = readFileSync(path.join(REPO_ROOT, 'docs/registries.md'), 'utf8');
    const [company, privateCa, every] = [...docs.matchAll(/```ini\n([\s\S]*?)```/g)].map((match) => match[1]!);
    const first = parseNpmrc(company!, { NPM_TOKEN: 'npm_docsExampleToken0123' }, noFiles);
    expect(first.warnings).toEqual([]);
    // No ca: the public registry keeps the default roots.
    expect(first.settings).toMatchObject({ ca: null, scopes: { '@acme': 'https://npm.acme.example.com/' }, auth: { '//npm.acme.example.com/': { token: 'npm_docsExampleToken0123' } } });

    // The system bundle plus the company CA: about 150 certificates, all kept.
    const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'spk-npmrc-docs-')), 'registry-ca.pem');
    writeFileSync(caFile, `${certA.cert.repeat(149)}${certB.cert}`);
    try {
      expect(privateCa).toContain('cafile=/etc/spk/registry-ca.pem');
      const withCa = parseNpmrc(privateCa!.replace('/etc/spk/registry-ca.pem', caFile), { NPM_TOKEN: 'npm_docsExampleToken0123' }, { readFile: (file) => readFileSync(file, 'utf8'), homeDir: '/' });
      expect(withCa.warnings).toEqual([]);
      expect(withCa.settings.ca).toHaveLength(150);
      expect(withCa.settings.ca!.at(-1)).toBe(certB.cert);
    } finally {
      rmSync(path.dirname(caFile), { recursive: true, force: true });
    }
    const second = parseNpmrc(every!.replace(/ca="[^"]*"/, `ca=${quoted(certB.cert)}`), { MIRROR_PASSWORD_BASE64: b64('mirror password'), NPM_TOKEN: 'npm_docsExampleToken0123' }, noFiles);
    expect(second.warnings).toEqual(['//npm.team.example.com/repo/:_auth: empty, not imported']);
    expect(second.settings).toMatchObject({
      registry: 'https://mirror.example.com/npm/',
      scopes: { '@acme': 'https://npm.acme.example.com/', '@team': 'https://npm.team.example.com/repo/' },
      auth: { '//mirror.example.com/npm/': { username: 'ci-reader', password: 'mirror password', alwaysAuth: true }, '//npm.acme.example.com/': { token: 'npm_docsExampleToken0123' } },
      ca: [expect.stringContaining('BEGIN CERTIFICATE')],
      strictSsl: true,
      httpsProxy: 'http://proxy.example.com:3128',
      proxy: 'http://proxy.example.com:3128',
      noproxy: ['localhost', '.example.com'],
    });
  });

  it('reads every supported key of a full .npmrc into the settings', () => {
    const text = [
      '; company scope on a private registry, everything else from a mirror',
      'registry=https://npm.example.com/mirror',
      '@acme:registry=https://npm.acme.internal/',
      '@tools:registry = http://127.0.0.1:4873',
      '//npm.acme.internal/:_authToken=${ACME_TOKEN}',
      '//npm.example.com/mirror/:username=mirror-user',
      `//npm.example.com/mirror/:_password=${b64('pässword:with colon')}`,
      '//npm.example.com/mirror/:always-auth=true',
      `//127.0.0.1:4873/:_auth=${b64('tools:secret-tools-pass')}`,
      'always-auth=true',
      `ca[]=${quoted(certA.cert)}`,
      `ca[]=${quoted(certB.cert)}`,
      'strict-ssl=false',
      'https-proxy=http://proxy.example.com:3128',
      'proxy=http://proxy.example.com:3080/',
      'noproxy=localhost, .internal',
    ].join('\n');
    const { settings, warnings } = parseNpmrc(text, { ACME_TOKEN: 'npm_acmeTokenValue0123456789' }, noFiles);
    expect(warnings).toEqual([]);
    expect(settings).toEqual({
      registry: 'https://npm.example.com/mirror/',
      scopes: { '@acme': 'https://npm.acme.internal/', '@tools': 'http://127.0.0.1:4873/' },
      auth: {
        '//npm.acme.internal/': { token: 'npm_acmeTokenValue0123456789' },
        '//npm.example.com/mirror/': { username: 'mirror-user', password: 'pässword:with colon', alwaysAuth: true },
        '//127.0.0.1:4873/': { auth: b64('tools:secret-tools-pass') },
      },
      alwaysAuth: true,
      ca: [certA.cert, certB.cert],
      strictSsl: false,
      httpsProxy: 'http://proxy.example.com:3128',
      proxy: 'http://proxy.example.com:3080/',
      noproxy: ['localhost', '.internal'],
    });
  });

  it('keeps the public registry as the default when only a scope is given, with npm defaults for the rest', () => {
    const { settings } = parseNpmrc('@acme:registry=https://npm.acme.internal/\n', {}, noFiles);
    expect(settings).toEqual(registrySettings({ registry: DEFAULT_REGISTRY_URL, scopes: { '@acme': 'https://npm.acme.internal/' } }));
  });

  it('replaces ${VAR} in credentials as npm does: ${VAR?} may be empty, \\${VAR} is the text itself', () => {
    const { settings, warnings } = parseNpmrc(
      [
        'registry=https://npm.example.com/npm/',
        '//npm.example.com/npm/:_authToken=tok-${SUFFIX}-\\${NOT_SET}',
        '//other.example.com/:_authToken=${UNSET?}',
        '//basic.example.com/:_auth=${BASIC}',
        '//user.example.com/:username=${USER_NAME}',
        '//user.example.com/:_password=${PASSWORD_BASE64}',
      ].join('\n'),
      { SUFFIX: 'abc', BASIC: b64('ann:basic-pass'), USER_NAME: 'bob', PASSWORD_BASE64: b64('bob-pass') },
      noFiles,
    );
    expect(settings.auth).toEqual({
      '//npm.example.com/npm/': { token: 'tok-abc-${NOT_SET}' },
      '//basic.example.com/': { auth: b64('ann:basic-pass') },
      '//user.example.com/': { username: 'bob', password: 'bob-pass' },
    });
    expect(warnings).toEqual(['//other.example.com/:_authToken: empty, not imported']);
  });

  // Everything but a credential is shown by registry.get or quoted in a message: a variable there would show the server's environment.
  it.each([
    ['registry=https://npm.example.com/${LEAK}/', 'registry', 'write the value itself'],
    ['@acme:registry=https://${LEAK}.example.com/', '@acme:registry', 'write the value itself'],
    ['noproxy=localhost,${LEAK}', 'noproxy', 'write the value itself'],
    ['noproxy[]=${LEAK}', 'noproxy', 'write the value itself'],
    ['cafile=/etc/${LEAK?}/ca.pem', 'cafile', 'write the value itself'],
    ['ca="${LEAK}"', 'ca', 'write the value itself'],
    ['https-proxy=http://${LEAK}:3128', 'https-proxy', 'write the value itself'],
    ['proxy=http://${LEAK}:3128', 'proxy', 'write the value itself'],
    ['strict-ssl=${LEAK}', 'strict-ssl', 'write the value itself'],
    ['always-auth=${LEAK}', 'always-auth', 'write the value itself'],
    ['//npm.example.com/:always-auth=${LEAK}', '//npm.example.com/:always-auth', 'write the value itself'],
    ['//${LEAK}/:_authToken=npm_inlineTokenValue', '//${LEAK}/:_authToken', 'write the key itself'],
    ['//npm.example.com/${LEAK}/:foo=1', '//npm.example.com/${LEAK}/:foo', 'write the key itself'],
  ])('refuses ${VAR} outside a credential (%s), naming the key and the variable, never its value', (line, key, write) => {
    const error = refusal(() => parseNpmrc(`${line}\n`, { LEAK: 'server-secret-value' }, noFiles));
    expect(error.message).toBe(`${key}: \${LEAK}: only credentials (_authToken, _auth, username, _password) may come from the server's environment; ${write}`);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('server-secret-value');
  });

  it('reads an escaped \\${VAR} outside a credential as the text itself', () => {
    expect(parseNpmrc('noproxy=\\${NOT_A_VARIABLE}.example.com\n', {}, noFiles).settings.noproxy).toEqual(['${NOT_A_VARIABLE}.example.com']);
  });

  it.each([
    ['//npm.example.com/:_authToken=${SPK_SECRET_KEY}', 'SPK_SECRET_KEY', '//npm.example.com/:_authToken'],
    ['//npm.example.com/:_authToken=${SPK_ADMIN_TOKEN?}', 'SPK_ADMIN_TOKEN', '//npm.example.com/:_authToken'],
    ['//npm.example.com/:_auth=${DATABASE_URL}', 'DATABASE_URL', '//npm.example.com/:_auth'],
    ['//npm.example.com/:username=${PGUSER}', 'PGUSER', '//npm.example.com/:username'],
    ['//npm.example.com/:_password=${PGPASSWORD}', 'PGPASSWORD', '//npm.example.com/:_password'],
  ])("refuses the server's own settings even in a credential (%s), never sending them to a registry", (line, variable, key) => {
    const env = { SPK_SECRET_KEY: 'the-server-secret-key', SPK_ADMIN_TOKEN: 'the-admin-token-value', DATABASE_URL: 'postgres://u:dbpass@db/x', PGUSER: 'pguser', PGPASSWORD: 'pgpass-value' };
    const error = refusal(() => parseNpmrc(`${line}\n`, env, noFiles));
    expect(error.message).toBe(
      `${key}: \${${variable}} names one of the server's own settings (SPK_*, DATABASE_URL, PG*), which are never read into the registry settings; put the credential in a variable of its own`,
    );
    const shown = JSON.stringify({ message: error.message, details: error.details });
    for (const value of Object.values(env)) expect(shown).not.toContain(value);
  });

  it('refuses a ${VAR} the environment lacks, naming the key and the variable', () => {
    const error = refusal(() => parseNpmrc('//npm.example.com/:_authToken=${NPM_TOKEN}\n', { OTHER: 'x' }, noFiles));
    expect(error.message).toBe(
      "//npm.example.com/:_authToken: ${NPM_TOKEN} names the environment variable NPM_TOKEN, which is not set in the server's environment; set it where the server runs, write ${NPM_TOKEN?} to let it be empty, or \\${NPM_TOKEN} for the text itself",
    );
  });

  it('reports every key it does not import, each with why, and a pasted secret line without its text', () => {
    const text = [
      'registry=https://npm.example.com/',
      'save-exact=true',
      'fund=false',
      'registery=https://typo.example.com/',
      '//npm.example.com/:_authtoken=secret-token-value-1',
      '//npm.example.com/:certfile=/etc/client.pem',
      'email=ops@example.com',
      '@acme:regsitry=https://npm.acme.internal/',
      'npm_SecretTokenOnALineOfItsOwn0123456789',
      'https://npm.example.com/:_authToken=secret-token-value-2',
      '[section]',
      'inside=1',
    ].join('\n');
    const { settings, warnings } = parseNpmrc(text, {}, noFiles);
    expect(warnings).toEqual([
      'save-exact: not a registry setting, ignored',
      'fund: not a registry setting, ignored',
      'registery: unknown key, ignored (did you mean registry?)',
      '//npm.example.com/:_authtoken: unknown registry key "_authtoken", ignored (did you mean //npm.example.com/:_authToken?)',
      '//npm.example.com/:certfile: not imported: client certificates (mutual TLS) are not supported',
      'email: not imported: npm no longer sends it; installs do not need it',
      '@acme:regsitry: unknown key, ignored (a scope takes only @acme:registry)',
      'a line that is not a setting npm knows was ignored (not shown here, in case it holds a secret)',
      'https://npm.example.com/:_authToken: not imported: npm never matches a key with a protocol; write it as //npm.example.com/:_authToken',
      '[section]: npm reads no ini sections; the keys under it were ignored',
    ]);
    expect(settings.auth).toEqual({});
    expect(settings.scopes).toEqual({});
    expect(JSON.stringify(warnings)).not.toMatch(/secret-token-value|SecretTokenOnALine/);
  });

  it('does not import credentials npm 9+ refuses at the top level, and says how to key them by registry', () => {
    const { settings, warnings } = parseNpmrc('registry=https://npm.example.com/\n_authToken=top-level-secret-token\n', {}, noFiles);
    expect(settings.auth).toEqual({});
    expect(warnings).toEqual([
      '_authToken: not imported: npm 9 and later refuse credentials that are not keyed by a registry; write it as //npm.example.com/:_authToken=… for the default registry, or key it by the registry it belongs to (//host/path/:_authToken)',
    ]);
    expect(warnings.join()).not.toContain('top-level-secret-token');
  });

  it('drops a username without its _password (npm uses them only together) with a warning', () => {
    const { settings, warnings } = parseNpmrc('//npm.example.com/:username=alone\n', {}, noFiles);
    expect(settings.auth).toEqual({});
    expect(warnings).toEqual(['//npm.example.com/:username: not imported: npm uses it only with //npm.example.com/:_password, which is not set']);
  });

  it.each([
    ['strict-ssl=maybe', 'strict-ssl: write strict-ssl=true or strict-ssl=false'],
    ['registry=ftp://npm.example.com/', 'registry: a registry URL must be an http(s) URL'],
    ['registry', 'registry: expected an http(s) URL (write registry=…)'],
    ['registry[]=https://npm.example.com/', 'registry: give one value (registry=…), not a list (registry[]=…)'],
    ['@Acme:registry=https://npm.acme.internal/', '@Acme:registry: a scope is written "@name" (lower case letters, digits, ".", "_", "~" or "-")'],
    ['https-proxy=socks5://proxy.example.com:1080', 'https-proxy: expected an http(s) proxy URL, e.g. http://proxy.example.com:3128 (socks proxies are not supported here)'],
    ['ca="not a certificate at all"', 'ca: certificate 1 is not a readable PEM certificate; give "-----BEGIN CERTIFICATE-----…-----END CERTIFICATE-----" text (in an .npmrc, in quotes with newlines written as \\n)'],
  ])('refuses %s naming the key and what to write', (line, message) => {
    expect(refusal(() => parseNpmrc(`${line}\n`, {}, noFiles)).message).toBe(message);
  });

  it.each([
    ['//npm.example.com/:_password=hunter2-plain-secret', "//npm.example.com/:_password: expected the password in base64 (npm's form), e.g. the output of printf '%s' 'password' | base64"],
    ['//npm.example.com/:_auth=hunter2-plain-secret', "//npm.example.com/:_auth: expected base64 of user:password (npm's form), e.g. the output of printf '%s' 'user:password' | base64"],
    [`//npm.example.com/:_auth=${b64('hunter2-plain-secret')}`, "//npm.example.com/:_auth: expected base64 of user:password (npm's form), e.g. the output of printf '%s' 'user:password' | base64"],
    ['https-proxy=http://user:hunter2-plain-secret@proxy.example.com:3128', 'https-proxy: a proxy URL with a user name or password is not supported (the URL is shown wherever the configuration is); use a proxy that lets this server through without them'],
    ['registry=https://user:hunter2-plain-secret@npm.example.com/', 'registry: a registry URL must not contain a user name or password (user:password@); give the URL without them and the credentials separately: spk registry set <url> --token-stdin, or _authToken (or _auth, username/_password) for that registry in an .npmrc'],
    [`//npm.example.com/:_authToken=${'hunter2-plain-secret'.repeat(300)}`, '//npm.example.com/:_authToken: too long (at most 4096 characters)'],
  ])('refuses a bad secret value without echoing it (%#)', (line, message) => {
    const error = refusal(() => parseNpmrc(`${line}\n`, {}, noFiles));
    expect(error.message).toBe(message);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('hunter2');
  });

  describe('cafile', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spk-npmrc-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the certificates of cafile from the server, which then replace ca (as in npm)', () => {
      const file = path.join(dir, 'company-ca.pem');
      writeFileSync(file, `${certA.cert}\r\n${certB.cert}`);
      const { settings, warnings } = parseNpmrc(`ca=${quoted(certA.cert)}\ncafile=${file}\n`, {});
      expect(settings.ca).toEqual([certA.cert, certB.cert]);
      expect(warnings).toEqual(['ca: ignored because cafile is also set (npm then trusts the certificates of cafile)']);
    });

    it('reads ~/ from the home directory, and refuses a file it cannot read or a relative path, naming it', () => {
      const files: NpmrcFiles = { ...noFiles, readFile: (file) => (file === '/home/spk/ca.pem' ? certA.cert : noFiles.readFile(file)) };
      expect(parseNpmrc('cafile=~/ca.pem\n', {}, files).settings.ca).toEqual([certA.cert]);
      expect(refusal(() => parseNpmrc('cafile=/etc/ssl/missing.pem\n', {}, files)).message).toBe(
        'cafile: cannot read /etc/ssl/missing.pem (ENOENT); give the path of a PEM file the server can read',
      );
      expect(refusal(() => parseNpmrc('cafile=certs/ca.pem\n', {}, files)).message).toBe('cafile: give an absolute path on the server (or ~/…), not "certs/ca.pem"');
    });

    it('keeps up to 1000 certificates and refuses more, saying how many', () => {
      const files = (count: number): NpmrcFiles => ({ ...noFiles, readFile: () => certA.cert.repeat(count) });
      expect(parseNpmrc('cafile=/etc/ca.pem\n', {}, files(1000)).settings.ca).toHaveLength(1000);
      expect(refusal(() => parseNpmrc('cafile=/etc/ca.pem\n', {}, files(1001))).message).toBe(
        'cafile (/etc/ca.pem): 1001 certificates, more than the 1000 the server keeps; give the roots the registries need (a system bundle holds about 150)',
      );
    });
  });
});
