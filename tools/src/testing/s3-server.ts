// An S3-compatible server on loopback for tests of the S3 blob store and of storage migration:
// s3rver on a free port, storing objects in a temp directory, with one bucket made up front.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The part of s3rver (which ships no types) used here. */
interface S3rverInstance {
  readonly httpServer?: Server;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** s3rver accepts any request signed with this key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The shape of the backend's S3StoreSettings (tools may not import the backend). */
export interface TestS3Settings {
  bucket: string;
  prefix: string;
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface TestS3Server {
  /** Settings for a store on `bucket` under `prefix`; spread and override to vary them. */
  settings: TestS3Settings;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  endpoint: string;
  bucket: string;
  /** Stops the server (closing open keep-alive connections) and removes its directory; idempotent. */
  close(): Promise<void>;
}

export interface StartS3ServerOptions {
  /** Default "spk-blobs" (S3 bucket names are 3–63 lowercase characters). */
  bucket?: string;
  /** Default "blobs". */
  prefix?: string;
}

export async function startS3Server(options: StartS3ServerOptions = {}): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'spk-blobs';
  const directory = await mkdtemp(path.join(tmpdir(), 'spk-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    bucket,
    settings: {
      bucket,
      prefix: options.prefix ?? 'blobs',
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { ...S3RVER_CREDENTIALS },
    },
    close: () =>
      (closing ??= (async () => {
        // The SDK keeps connections alive; without this, close() would wait for them to idle out.
        const closed = server.close();
        server.httpServer?.closeAllConnections();
        await closed;
        await rm(directory, { recursive: true, force: true });
      })()),
  };
}
