// A throwaway self-signed certificate for 127.0.0.1, made at test time with the openssl command
// (Node can read certificates but not issue them), rather than carry a certificate that would one
// day expire. CI installs openssl when a machine lacks it (.ci/run), so these tests never skip.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SelfSignedCertificate {
  /** PEM: the certificate, which is also its own CA. */
  cert: string;
  /** PEM: its private key. */
  key: string;
}

export function makeSelfSignedCertificate(commonName = 'spk test registry'): SelfSignedCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'spk-cert-'));
  try {
    const [keyFile, certFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${commonName}`,
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the openssl command is needed to make a test certificate and was not found; install it (apt-get install openssl)', { cause: error });
    }
    throw error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
