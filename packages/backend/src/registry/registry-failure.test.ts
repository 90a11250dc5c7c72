import { describe, expect, it } from 'vitest';
import { httpErrorFor } from '../router/error-mapping.ts';
import { answerTooLarge, registryFailure } from './registry-failure.ts';

const REGISTRY = 'https://npm.acme.test/repo/';
const lookup = { registry: REGISTRY, name: '@acme/ui', timeoutMs: 10_000, timedOut: false };
const install = { ...lookup, timeoutMs: 60_000, install: { fetching: '@acme/ui@^1.0.0', tarball: false } };
// npm-registry-fetch's HTTP errors quote the registry's error body, which a registry may fill with the request's headers.
const echoed = (statusCode: number) => ({ statusCode, code: `E${statusCode}`, message: `${statusCode} Nope - GET ${REGISTRY}@acme%2fui - Bearer npm_secretEchoedToken` });

describe('registryFailure', () => {
  it('says a 401 or 403 is a missing or wrong token for that registry, and how to set one', () => {
    expect(registryFailure(echoed(401), lookup)).toMatchObject({
      code: 'REGISTRY_AUTH_FAILED',
      message: `the token for ${REGISTRY} is missing or wrong (HTTP 401); set the token with spk registry import-npmrc or spk registry set`,
      details: { registry: REGISTRY, name: '@acme/ui', status: 401, npmCode: 'E401' },
    });
    expect(registryFailure({ statusCode: 403 }, lookup)?.code).toBe('REGISTRY_AUTH_FAILED');
  });

  it('says the same in an install, naming what npm was fetching', () => {
    expect(registryFailure(echoed(403), install)?.message).toBe(
      `the token for ${REGISTRY} is missing or wrong (HTTP 403): the registry refused access to @acme/ui@^1.0.0; set the token with spk registry import-npmrc or spk registry set`,
    );
    expect(registryFailure({ code: 'EOTP', statusCode: 401 }, install)?.message).toContain('asks for a one-time password for @acme/ui@^1.0.0 (EOTP)');
  });

  it('says a 404 for a package is "no such package", a 5xx that the registry is failing, and any other status which one it was', () => {
    expect(registryFailure({ statusCode: 404 }, lookup)).toMatchObject({ code: 'PACKAGE_NOT_FOUND', message: `no package @acme/ui in the registry ${REGISTRY}` });
    expect(registryFailure({ code: 'E404' }, install)?.message).toBe(
      `no package @acme/ui in the registry ${REGISTRY}; check the name, or the registry settings (spk registry get) if it is a private package`,
    );
    expect(registryFailure({ statusCode: 404 }, { ...lookup, name: undefined })).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: `the registry ${REGISTRY} answered HTTP 404` });
    expect(registryFailure(echoed(503), lookup)).toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      message: `the registry ${REGISTRY} answered HTTP 503: the registry itself is failing; try again later, or check the registry`,
      reason: 'it answered HTTP 503',
    });
    expect(registryFailure(echoed(418), install)?.message).toBe(`the registry ${REGISTRY} answered HTTP 418 for @acme/ui@^1.0.0`);
  });

  it('says a missing tarball is a registry that lists a version it cannot serve, not a missing package', () => {
    const tarball = { ...install, install: { fetching: '@acme/ui@1.2.3', tarball: true } };
    expect(registryFailure({ statusCode: 404 }, tarball)?.message).toBe(`the registry ${REGISTRY} has no tarball for @acme/ui@1.2.3 (HTTP 404); it lists a version it cannot serve: check the registry`);
  });

  it('never quotes the registry\'s answer, whatever the status', () => {
    for (const status of [400, 401, 403, 404, 418, 500, 503]) {
      for (const ctx of [lookup, install]) expect(registryFailure(echoed(status), ctx)?.message).not.toContain('npm_secretEchoedToken');
    }
  });

  it('names the host and the limit when the registry is too slow, whoever noticed', () => {
    const expected = { code: 'REGISTRY_UNREACHABLE', message: 'the registry at npm.acme.test did not answer within 10 s', reason: 'it did not answer within 10 s' };
    expect(registryFailure({ type: 'request-timeout' }, lookup)).toMatchObject(expected);
    expect(registryFailure({ name: 'AbortError', type: 'aborted' }, { ...lookup, timedOut: true })).toMatchObject(expected);
    expect(registryFailure({ code: 'EIDLETIMEOUT' }, install)?.message).toBe(
      'the registry at npm.acme.test did not answer within 60 s when asked for @acme/ui@^1.0.0; check the registry and the network, or raise SPK_REGISTRY_TIMEOUT_MS',
    );
  });

  it('names the network error when the registry cannot be reached, and never quotes the library\'s message', () => {
    const failure = registryFailure({ code: 'ECONNREFUSED', message: 'request to https://user:secret@npm.acme.test/ failed' }, lookup);
    expect(failure).toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: 'the registry at npm.acme.test could not be reached (ECONNREFUSED); check the registry URL and the network' });
    expect(registryFailure({ code: 'SELF_SIGNED_CERT_IN_CHAIN', type: 'system', message: 'secret' }, lookup)).toMatchObject({
      message: 'the registry at npm.acme.test could not be reached: its certificate does not verify (SELF_SIGNED_CERT_IN_CHAIN); give the CA that signed it with ca or cafile (spk registry import-npmrc)',
      reason: 'its certificate does not verify (SELF_SIGNED_CERT_IN_CHAIN)',
    });
    expect(registryFailure({ code: 'EINVALIDPROXY', message: 'secret' }, install)?.message).toBe('the request to the registry at npm.acme.test for @acme/ui@^1.0.0 failed (EINVALIDPROXY)');
  });

  it('names every registry it may have been when the caller cannot tell which', () => {
    const either = { ...install, registry: [REGISTRY, 'https://registry.npmjs.org/'], install: { fetching: null, tarball: false } };
    expect(registryFailure({ code: 'ECONNRESET' }, either)?.message).toBe('the registry at npm.acme.test or registry.npmjs.org could not be reached (ECONNRESET); check the registry URL and the network');
  });

  it("answers an answer over the client's cap as the registry's failure (502), naming the registry, the package and the cap", () => {
    const failure = answerTooLarge({ registry: 'https://user:secret@npm.acme.test/repo/', name: '@acme/ui' }, 16 * 1024 * 1024);
    expect(failure).toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      message: 'the registry https://***@npm.acme.test/repo/ sent the document of @acme/ui larger than 16 MiB, more than the registry client reads',
      details: { registry: 'https://***@npm.acme.test/repo/', name: '@acme/ui', maxBytes: 16 * 1024 * 1024 },
    });
    expect(httpErrorFor(failure.code).status).toBe(502);
    expect(answerTooLarge({ registry: REGISTRY }, 2 * 1024 * 1024).message).toBe(`the registry ${REGISTRY} sent its search answer larger than 2 MiB, more than the registry client reads`);
  });

  it('leaves an error that is no request failure alone: a bug, or in an install an error npm must explain', () => {
    expect(registryFailure(new Error('a bug'), lookup)).toBeNull();
    expect(registryFailure('text', lookup)).toBeNull();
    expect(registryFailure({ code: 'ENOVERSIONS', message: 'No versions available' }, install)).toBeNull();
  });
});
