// The registry configuration as the API reports it: default and scoped registries, credentials per
// registry (secrets only ever in their masked form), TLS and proxy settings.
import type { RegistryConfig } from '@spk/common';
import { formatTime } from '../ui/format.ts';
import { formatDuration } from './durations.ts';
import { describeSecret, NOT_SET } from './masked-secret.ts';

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

export function RegistryConfigView({ config }: { config: RegistryConfig }) {
  const scopes = Object.entries(config.scopes);
  const auth = Object.entries(config.auth);
  return (
    <div className="registry-config">
      <dl className="facts">
        <dt>Default registry</dt>
        <dd>
          <code>{config.registry}</code>
        </dd>
        <dt>Credentials for it</dt>
        <dd>{config.hasToken ? 'set' : NOT_SET}</dd>
        <dt>Request timeout</dt>
        <dd>{formatDuration(config.timeoutMs)}</dd>
        <dt>Secrets encrypted with key</dt>
        <dd>{config.secretKeyId ? <code>{config.secretKeyId}</code> : 'none yet'}</dd>
        <dt>Last changed</dt>
        <dd>{config.updatedAt ? <time dateTime={config.updatedAt}>{formatTime(config.updatedAt)}</time> : 'never (defaults)'}</dd>
      </dl>

      <h3>Scoped registries</h3>
      {scopes.length === 0 ? (
        <p>None: every scope comes from the default registry.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Scoped registries">
            <thead>
              <tr>
                <th scope="col">Scope</th>
                <th scope="col">Registry</th>
              </tr>
            </thead>
            <tbody>
              {scopes.map(([scope, url]) => (
                <tr key={scope}>
                  <td>{scope}</td>
                  <td>
                    <code>{url}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3>Credentials</h3>
      {auth.length === 0 ? (
        <p>No registry has credentials.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Registry credentials">
            <thead>
              <tr>
                <th scope="col">Registry</th>
                <th scope="col">Token</th>
                <th scope="col">Basic auth (_auth)</th>
                <th scope="col">User name</th>
                <th scope="col">Password</th>
                <th scope="col">Always-auth</th>
              </tr>
            </thead>
            <tbody>
              {auth.map(([dart, entry]) => (
                <tr key={dart}>
                  <td>
                    <code>{dart}</code>
                  </td>
                  <td>{describeSecret(entry.token)}</td>
                  <td>{describeSecret(entry.auth)}</td>
                  <td>{entry.username ?? '—'}</td>
                  <td>{describeSecret(entry.password)}</td>
                  <td>{yesNo(entry.alwaysAuth)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3>TLS and proxy</h3>
      <dl className="facts">
        <dt>Verify certificates (strict-ssl)</dt>
        <dd>{yesNo(config.strictSsl)}</dd>
        <dt>Trusted CA certificates</dt>
        <dd>
          {config.ca === null ? (
            'the system default roots'
          ) : (
            <ul className="plain-list">
              {config.ca.map((cert) => (
                <li key={cert.fingerprint256 || cert.subject}>
                  {cert.subject}
                  {cert.validTo && <span className="muted">, valid to {cert.validTo}</span>}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>HTTPS proxy</dt>
        <dd>{config.httpsProxy ? <code>{config.httpsProxy}</code> : 'none'}</dd>
        <dt>HTTP proxy</dt>
        <dd>{config.proxy ? <code>{config.proxy}</code> : 'none'}</dd>
        <dt>Reached without proxy</dt>
        <dd>{config.noproxy.length > 0 ? config.noproxy.join(', ') : 'none'}</dd>
        <dt>Always-auth (global)</dt>
        <dd>{yesNo(config.alwaysAuth)} <span className="muted">(kept as in .npmrc; credentials always go with their registry)</span></dd>
      </dl>
    </div>
  );
}
