// The registries an operator of a company mixes, for the registries end-to-end test: two private
// Verdaccios each serving one scope to one user (published packages included), a gated loopback
// registry per auth form (_authToken, _auth, username/_password) that can be made to fail, the
// .npmrc that ties them to the fixture registry, and every secret involved, ready for the grep.
import { randomBytes } from 'node:crypto';
import {
  basicAuthForms,
  craftPackage,
  namedSecret,
  startGatedRegistry,
  startTestRegistry,
  type GatedRegistry,
  type NamedSecret,
  type RegistryUser,
  type TestRegistry,
} from '@spk/tools';

/** Published in the corp (A) and team (B) registries before the test starts. */
export const CORP_PACKAGES = ['@spk-corp/lib', '@spk-corp/rotated'] as const;
export const TEAM_PACKAGES = ['@spk-team/lib', '@spk-team/extra', '@spk-team/restarted'] as const;
/** Gates of the loopback registry, each with its scope `@spk-gate-<gate>` and auth form. */
export type GateName = 'bearer' | 'auth' | 'basic';

export interface RegistriesWorld {
  corpRegistry: TestRegistry;
  teamRegistry: TestRegistry;
  corp: RegistryUser;
  team: RegistryUser;
  gated: GatedRegistry;
  gateToken: string;
  gateBasicUser: { name: string; password: string };
  /** A token B never issued, for the wrong-token install. */
  wrongTeamToken: string;
  /** Every secret above with its forms (keys are added by the test as it learns them). */
  secrets: NamedSecret[];
  /**
   * The operator's .npmrc: the fixture registry as default, both scopes, the corp token as
   * `${CORP_TOKEN}` (the server's environment), the team token written in, the gates, and two
   * keys that are not registry settings.
   */
  npmrc(teamToken: string): string;
  stop(): Promise<void>;
}

const random = (bytes = 24) => randomBytes(bytes).toString('base64url');
const basic = (user: { name: string; password: string }) => `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;

/** npm's nerf dart of a registry URL: `//host:port/path/`. */
export const nerfDart = (url: string) => url.replace(/^https?:/, '').replace(/\/?$/, '/');

/** A package whose `id` export names it, so a script proves which one it loaded. */
export function idPackage(name: string) {
  const id = `${name}@1.0.0`;
  return craftPackage({ name, version: '1.0.0', main: 'index.js' }, [{ path: 'package/index.js', content: `module.exports = { id: ${JSON.stringify(id)} };\n` }]);
}

export async function startRegistriesWorld(fixtureRegistryUrl: string): Promise<RegistriesWorld> {
  const gateToken = `gate_${random()}`;
  const gateAuthUser = { name: 'gate-auth', password: random(18) };
  const gateBasicUser = { name: 'gate-basic', password: random(18) };
  const wrongTeamToken = `wrong_${random(48)}`;
  const started = await Promise.allSettled([
    startTestRegistry({ privateScopes: { '@spk-corp': 'corp' } }),
    startTestRegistry({ privateScopes: { '@spk-team': 'team' } }),
    startGatedRegistry({
      bearer: { scope: '@spk-gate-bearer', authorization: `Bearer ${gateToken}` },
      auth: { scope: '@spk-gate-auth', authorization: basic(gateAuthUser) },
      basic: { scope: '@spk-gate-basic', authorization: basic(gateBasicUser) },
    }),
  ]);
  const stop = async () => {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? ('close' in s.value ? s.value.close() : s.value.stop()) : undefined)));
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const [corpRegistry, teamRegistry] = started.map((s) => (s as PromiseFulfilledResult<TestRegistry>).value) as [TestRegistry, TestRegistry];
  const gated = (started[2] as PromiseFulfilledResult<GatedRegistry>).value;
  const corp = corpRegistry.users.corp!;
  const team = teamRegistry.users.team!;
  try {
    for (const name of CORP_PACKAGES) await corpRegistry.publish(idPackage(name), { token: corp.token });
    for (const name of TEAM_PACKAGES) await teamRegistry.publish(idPackage(name), { token: team.token });
  } catch (error) {
    await stop();
    throw error;
  }

  const npmrc = (teamToken: string) =>
    [
      '; registries for the e2e test',
      `registry=${fixtureRegistryUrl}/`,
      `@spk-corp:registry=${corpRegistry.url}/`,
      `@spk-team:registry=${teamRegistry.url}/`,
      `${nerfDart(corpRegistry.url)}:_authToken=\${CORP_TOKEN}`,
      `${nerfDart(teamRegistry.url)}:_authToken=${teamToken}`,
      `@spk-gate-bearer:registry=${gated.registryUrl('bearer')}`,
      `@spk-gate-auth:registry=${gated.registryUrl('auth')}`,
      `@spk-gate-basic:registry=${gated.registryUrl('basic')}`,
      `${nerfDart(gated.registryUrl('bearer'))}:_authToken=${gateToken}`,
      `${nerfDart(gated.registryUrl('auth'))}:_auth=${Buffer.from(`${gateAuthUser.name}:${gateAuthUser.password}`).toString('base64')}`,
      `${nerfDart(gated.registryUrl('basic'))}:username=${gateBasicUser.name}`,
      // npm keeps _password base64-encoded in the file.
      `${nerfDart(gated.registryUrl('basic'))}:_password=${Buffer.from(gateBasicUser.password).toString('base64')}`,
      'spk-no-such-setting=1',
      'save-exact=true',
      '',
    ].join('\n');

  return {
    corpRegistry,
    teamRegistry,
    corp,
    team,
    gated,
    gateToken,
    gateBasicUser,
    wrongTeamToken,
    secrets: [
      namedSecret('corp token', corp.token),
      { label: 'corp password', forms: basicAuthForms(corp.name, corp.password) },
      namedSecret('team token', team.token),
      { label: 'team password', forms: basicAuthForms(team.name, team.password) },
      namedSecret('wrong team token', wrongTeamToken),
      namedSecret('gate token', gateToken),
      { label: 'gate _auth', forms: basicAuthForms(gateAuthUser.name, gateAuthUser.password) },
      { label: 'gate username/_password', forms: basicAuthForms(gateBasicUser.name, gateBasicUser.password) },
    ],
    npmrc,
    stop,
  };
}
