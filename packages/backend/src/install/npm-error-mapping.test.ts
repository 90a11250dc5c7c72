import { describe, expect, it } from 'vitest';
import { registrySettings } from '../testing/registry-settings.ts';
import { failedPackageName, toResolveError } from './npm-error-mapping.ts';

const CORP = 'http://corp.test/npm/';
const TOKEN = 'npm_corpSecretToken1234';
const PASSWORD = 'mirror-pass-5678';

/** Settings as a legacy row could hold them (credentials in the default URL), with a scope on another registry. */
const settings = registrySettings({
  registry: 'http://u:hunter2@registry.test/',
  scopes: { '@corp': CORP },
  auth: { '//corp.test/npm/': { token: TOKEN }, '//registry.test/': { username: 'mirror', password: PASSWORD } },
});
const naming = { settings, timeoutMs: 60_000 };

describe('toResolveError', () => {
  it.each([
    ['minipass-fetch request timer', { code: 'FETCH_ERROR', type: 'request-timeout' }],
    ['minipass-fetch body timer', { code: 'FETCH_ERROR', type: 'body-timeout' }],
    ['npm agent idle socket', { code: 'EIDLETIMEOUT' }],
    ['OS connect timeout', { code: 'ETIMEDOUT' }],
    ['node socket timeout', { code: 'ERR_SOCKET_TIMEOUT' }],
  ])('says the registry did not answer for a cut-off request (%s), naming the limit and the setting', (_, error) => {
    const mapped = toResolveError({ ...error, message: 'network timeout at: http://u:hunter2@registry.test/x', pkgid: 'x@1.0.0' }, naming);
    expect(mapped.code).toBe('REGISTRY_UNREACHABLE');
    expect(mapped.message).toBe('the registry at registry.test did not answer within 60 s when asked for x@1.0.0; check the registry and the network, or raise SPK_REGISTRY_TIMEOUT_MS');
  });

  it('never puts URL credentials into a message, whether from the settings or from npm', () => {
    const messages = [
      toResolveError({ code: 'E404', pkgid: 'x' }, naming).message,
      toResolveError({ code: 'EWHATEVER', message: 'GET http://u:hunter2@registry.test/x failed' }, naming).message,
    ];
    for (const message of messages) {
      expect(message).not.toContain('hunter2');
      expect(message).toContain('http://***@registry.test/');
    }
    expect(toResolveError({ code: 'ECONNREFUSED' }, naming).message).not.toContain('hunter2');
  });

  it('quotes npm only where nothing else says what happened, and then without any configured secret or query string', () => {
    const basic = Buffer.from(`mirror:${PASSWORD}`).toString('base64');
    const message = `GET ${CORP}x/-/x-1.0.0.tgz?X-Amz-Signature=abcdef0123 failed: Bearer ${TOKEN}, Basic ${basic}, password ${PASSWORD}`;
    const mapped = toResolveError({ code: 'EWHATEVER', message }, naming);
    expect(mapped.message).toBe(`resolving the package set failed (EWHATEVER): GET ${CORP}x/-/x-1.0.0.tgz failed: Bearer ***, Basic ***, password ***`);
  });

  it('keeps npm\'s code as the cause, never npm\'s error with the registry\'s answer', () => {
    const npmError = Object.assign(new Error(`500 - GET ${CORP}x - ${TOKEN}`), { code: 'E500', statusCode: 500, body: { error: TOKEN }, headers: { 'x-echo': TOKEN }, pkgid: 'x@1' });
    const mapped = toResolveError(npmError, naming);
    expect((mapped.cause as { code?: string }).code).toBe('E500');
    expect(JSON.stringify(mapped.cause) + String((mapped.cause as Error).message)).not.toContain(TOKEN);
  });

  it('names the package, the range, the newest versions and the dist-tags when no version matches (ETARGET)', () => {
    // The fields npm-pick-manifest puts on its ETARGET error (it sets no pkgid).
    const etarget = {
      code: 'ETARGET',
      message: 'No matching version found for left-pad@^9.',
      name: 'left-pad',
      wanted: '^9',
      versions: ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '0.0.9', '1.1.3', '2.0.0-beta.1'],
      distTags: { next: '2.0.0-beta.1', latest: '1.3.0' },
    };
    const declared = toResolveError(etarget, naming, [{ name: 'left-pad' }]);
    expect(declared.code).toBe('NO_MATCHING_VERSION');
    expect(declared.message).toBe(
      'no version of left-pad matches "^9" in the registry http://***@registry.test/ (newest versions: 2.0.0-beta.1, 1.3.0, 1.2.0, 1.1.3, 1.1.0 (and 2 older); dist-tags: latest=1.3.0, next=2.0.0-beta.1); change its declared range with "spk packages set left-pad@^1.3.0"',
    );
    const transitive = toResolveError(etarget, naming, [{ name: 'uses-left-pad' }]);
    expect(transitive.message).toContain('left-pad is a dependency of a declared package: change that package\'s range');
  });
});

describe('toResolveError: the registry the failing package came from', () => {
  it.each([401, 403])('answers REGISTRY_AUTH_FAILED for HTTP %i, naming the scope\'s registry and what to do, never the token', (status) => {
    const error = { code: `E${status}`, statusCode: status, message: `${status} Unauthorized - GET ${CORP}@corp%2fsecret`, pkgid: '@corp/secret@^1.0.0' };
    const mapped = toResolveError(error, naming);
    expect(mapped.code).toBe('REGISTRY_AUTH_FAILED');
    expect(mapped.message).toBe(
      `the token for ${CORP} is missing or wrong (HTTP ${status}): the registry refused access to @corp/secret@^1.0.0; set the token with spk registry import-npmrc or spk registry set`,
    );
    expect(mapped.details).toMatchObject({ registry: CORP, status });
    expect(JSON.stringify({ message: mapped.message, details: mapped.details })).not.toContain(TOKEN);
  });

  it('names the default registry, redacted, for an unscoped package', () => {
    const mapped = toResolveError({ code: 'E403', statusCode: 403, pkgid: 'left-pad@1.0.0' }, naming);
    expect(mapped.code).toBe('REGISTRY_AUTH_FAILED');
    expect(mapped.message).toContain('the token for http://***@registry.test/ is missing or wrong (HTTP 403): the registry refused access to left-pad@1.0.0');
    expect(mapped.message).not.toContain('hunter2');
  });

  it('finds the package in the URL npm asked when the error has no pkgid', () => {
    const mapped = toResolveError({ code: 'E401', statusCode: 401, uri: `${CORP}@corp%2fsecret` } as object, naming);
    expect(mapped.message).toContain(`the token for ${CORP} is missing or wrong (HTTP 401): the registry refused access to @corp/secret;`);
  });

  it('says a registry answering 500 is failing, naming it and the status', () => {
    const mapped = toResolveError({ code: 'E500', statusCode: 500, message: `500 Internal Server Error - GET ${CORP}@corp%2fx`, pkgid: '@corp/x@^2' }, naming);
    expect(mapped.code).toBe('REGISTRY_UNREACHABLE');
    expect(mapped.message).toBe(`the registry ${CORP} answered HTTP 500 for @corp/x@^2: the registry itself is failing; try again later, or check the registry`);
  });

  it('names the registry whose URL the message of an unreachable one holds, else every configured registry', () => {
    const refused = { code: 'ECONNREFUSED', message: `request to ${CORP}@corp%2fx failed, reason: connect ECONNREFUSED 127.0.0.1:80` };
    expect(toResolveError(refused, naming)).toMatchObject({
      message: 'the registry at corp.test could not be reached (ECONNREFUSED) for @corp/x; check the registry URL and the network',
      details: { registry: CORP },
    });
    expect(toResolveError({ code: 'ECONNREFUSED' }, naming)).toMatchObject({
      message: 'the registry at registry.test or corp.test could not be reached (ECONNREFUSED); check the registry URL and the network',
      details: { registry: `http://***@registry.test/ or ${CORP}` },
    });
  });

  it('names the scope\'s registry for a missing scoped package', () => {
    expect(toResolveError({ code: 'E404', pkgid: '@corp/nope@1' }, naming).message).toBe(
      `no package @corp/nope in the registry ${CORP}; check the name, or the registry settings (spk registry get) if it is a private package`,
    );
    expect(toResolveError({ code: 'E404', statusCode: 404, pkgid: '@corp/x@1.0.0', uri: `${CORP}@corp/x/-/x-1.0.0.tgz` }, naming).message).toBe(
      `the registry ${CORP} has no tarball for @corp/x@1.0.0 (HTTP 404); it lists a version it cannot serve: check the registry`,
    );
  });
});

describe('failedPackageName', () => {
  it.each([
    [{ pkgid: '@s/x@^1.0.0' }, '@s/x'],
    [{ pkgid: 'x@1.0.0' }, 'x'],
    [{ pkgid: 'x' }, 'x'],
    [{ code: 'ETARGET', name: 'y', pkgid: 'x' }, 'y'],
    [{ name: 'HttpErrorGeneral', uri: 'http://r.test/path/@s%2fx' }, '@s/x'],
    [{ uri: 'http://r.test/@s/x/-/x-1.0.0.tgz' }, '@s/x'],
    [{ uri: 'http://r.test/x/-/x-1.0.0.tgz' }, 'x'],
    [{ code: 'FETCH_ERROR', type: 'request-timeout', message: 'network timeout at: http://r.test/npm/@s%2fx' }, '@s/x'],
    [{ code: 'ECONNREFUSED', message: 'request to http://r.test/x failed, reason: connect ECONNREFUSED 127.0.0.1:80' }, 'x'],
    [{ message: 'nothing to go by' }, null],
  ])('reads %j as %s', (error, name) => {
    expect(failedPackageName(error)).toBe(name);
  });
});
