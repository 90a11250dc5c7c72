// Publishes a package through the registry's own HTTP API: the same PUT-with-`_attachments`
// document `npm publish` sends, so the registry stores and serves it exactly as it would a real
// publish (packument, dist-tags, tarball URL), without the seconds an `npm publish` spawn costs.
// A manifest's `deprecated` field rides along into the packument's version (where `npm deprecate`
// puts it), and its `publishConfig.tag` picks the dist-tag, as `npm publish` reads it.
import type { FixtureManifest } from './pack-fixture.ts';

export interface PublishInput {
  manifest: FixtureManifest;
  tarball: Buffer;
  integrity: string;
  shasum: string;
}

export interface PublishOptions {
  /** Bearer token; required for scopes that only authenticated users may publish to. */
  token?: string;
  /** Dist-tag to point at this version (default: the manifest's `publishConfig.tag`, else `latest`). */
  tag?: string;
}

/** The dist-tag `npm publish` would use: the one asked for, else `publishConfig.tag`, else `latest`. */
export function publishTag(manifest: FixtureManifest, asked?: string): string {
  if (asked !== undefined) return asked;
  const config = manifest.publishConfig;
  const tag = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).tag : undefined;
  return typeof tag === 'string' && tag !== '' ? tag : 'latest';
}

/** The body of `PUT /<name>`, built like npm's libnpmpublish does. Pure, so it is unit-testable. */
export function buildPublishDocument(registryUrl: string, input: PublishInput, tag = publishTag(input.manifest)): Record<string, unknown> {
  const { name, version } = input.manifest;
  const unscoped = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  const attachmentName = `${name}-${version}.tgz`;
  const versionDoc = {
    ...input.manifest,
    _id: `${name}@${version}`,
    dist: {
      integrity: input.integrity,
      shasum: input.shasum,
      tarball: `${registryUrl}/${name}/-/${unscoped}-${version}.tgz`,
    },
  };
  return {
    _id: name,
    name,
    description: input.manifest.description,
    'dist-tags': { [tag]: version },
    versions: { [version]: versionDoc },
    access: null,
    _attachments: {
      [attachmentName]: {
        content_type: 'application/octet-stream',
        data: input.tarball.toString('base64'),
        length: input.tarball.length,
      },
    },
  };
}

/** Registry path of a package name: the scope's slash is encoded, as npm does. */
export function packagePath(name: string): string {
  return `/${name.replace('/', '%2f')}`;
}

export async function publishPackage(registryUrl: string, input: PublishInput, options: PublishOptions = {}): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${registryUrl}${packagePath(input.manifest.name)}`, {
    method: 'PUT',
    headers,
    body: JSON.stringify(buildPublishDocument(registryUrl, input, publishTag(input.manifest, options.tag))),
  });
  if (!response.ok) {
    const spec = `${input.manifest.name}@${input.manifest.version}`;
    throw new Error(`publishing ${spec} failed: HTTP ${response.status} ${await response.text()}`);
  }
}
