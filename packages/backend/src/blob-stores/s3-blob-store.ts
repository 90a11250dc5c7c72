// The S3-compatible blob store (AWS S3, MinIO, Ceph, s3rver): one object per blob at
// `<prefix>/<sha512 hex>`. Bytes are verified before they are uploaded and again whenever they are
// read back, so a copy that rotted or was replaced in the bucket is never served or kept.
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import ssri from 'ssri';
import { hexToIntegrity, integrityToHex, SHA512_HEX, SpkError } from '@spk/common';
import type { Logger } from '../services.ts';
import { verifyBlob, type BlobStore } from './blob-store.ts';
import { isStoredBlobIntact } from './published-blob.ts';

export const S3_STORE_ID = 's3';

export interface S3StoreSettings {
  bucket: string;
  /** Key prefix inside the bucket ("" or ending without a slash; keys are <prefix>/<sha512 hex>). */
  prefix: string;
  /** An S3-compatible endpoint (MinIO, Ceph, s3rver); unset: AWS for the region. */
  endpoint?: string | undefined;
  region: string;
  forcePathStyle: boolean;
  /** From settings; unset: the standard AWS chain (AWS_ACCESS_KEY_ID, profiles, instance roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
}

/** What each operation needs the credentials to be allowed to do, for the advice in a failure. */
const OPERATIONS = {
  'check for': 'read',
  read: 'read',
  write: 'write',
  delete: 'delete',
  list: 'list',
} as const;
type Operation = keyof typeof OPERATIONS;

/** "Not there" answers; NoSuchBucket is also a 404 but is a failure, so the HTTP status alone cannot decide. */
const isAbsent = (error: unknown) => (error as { name?: string }).name === 'NoSuchKey';

/** The endpoint as it may appear in a message: no user info, query or fragment (where a credential could hide). */
function describeEndpoint(settings: S3StoreSettings): string {
  if (!settings.endpoint) return `AWS S3 in ${settings.region}`;
  try {
    const url = new URL(settings.endpoint);
    return `endpoint ${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return 'the configured endpoint';
  }
}

/** The AWS error's name/code and HTTP status (or the network error code); never its message, which can quote the signed request. */
function describeCause(error: unknown): { summary: string; awsError?: string; httpStatus?: number } {
  const e = error as { name?: unknown; Code?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' && e.name !== 'Error' ? e.name : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const parts = [name, code, status === undefined ? undefined : `HTTP ${status}`].filter((part) => part !== undefined);
  return { summary: parts.length > 0 ? parts.join(', ') : 'an unidentified error', awsError: name ?? code, httpStatus: status };
}

/**
 * The SDK warns once per process, on stderr, that its releases after January 2027 need Node 22.
 * The versions are pinned in the lockfile, so an operator can do nothing with it; the SDK's own
 * switch silences it, set only while the client is made (the check runs then) and restored after.
 */
function createClient(settings: S3StoreSettings): S3Client {
  const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const before = process.env[SWITCH];
  process.env[SWITCH] = 'true';
  try {
    return new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      // Unset: the SDK's default chain (environment, shared config and credentials files, SSO, instance roles).
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      // Integrity is our own sha512 check; the SDK's default CRC checksums are not understood by
      // every S3-compatible server, so they are sent and checked only where S3 requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  } finally {
    if (before === undefined) delete process.env[SWITCH];
    else process.env[SWITCH] = before;
  }
}

export interface S3StoreTuning {
  /** Keys per ListObjects request (S3 answers at most 1000). */
  listPageSize?: number;
}

export function createS3BlobStore(settings: S3StoreSettings, logger: Logger, { listPageSize = 1000 }: S3StoreTuning = {}): BlobStore {
  const { bucket } = settings;
  const client = createClient(settings);
  const base = settings.prefix.replace(/\/+$/, '');
  const listPrefix = base ? `${base}/` : '';
  const keyOf = (integrity: string) => `${listPrefix}${integrityToHex(integrity)}`;
  const where = `the S3 blob store (bucket "${bucket}", ${describeEndpoint(settings)})`;
  const log = logger.child({ blobStore: S3_STORE_ID, bucket });

  function failure(operation: Operation, target: string, error: unknown): SpkError {
    const cause = describeCause(error);
    return new SpkError(
      'BLOB_STORE_FAILED',
      `${where} failed to ${operation} ${target}: ${cause.summary}; check the bucket exists and the credentials may ${OPERATIONS[operation]} it`,
      { storeId: S3_STORE_ID, bucket, operation, key: target, awsError: cause.awsError, httpStatus: cause.httpStatus },
    );
  }

  async function attempt<T>(operation: Operation, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw failure(operation, key, error);
    }
  }

  /** The object, or null when the bucket has no such key; the caller must consume or destroy its body. */
  async function getObject(key: string): Promise<GetObjectCommandOutput | null> {
    try {
      return await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isAbsent(error)) return null;
      throw failure('read', key, error);
    }
  }

  function damaged(integrity: string, key: string): SpkError {
    log.warn({ integrity, key }, 'a blob in the S3 blob store is damaged (its bytes do not match their integrity)');
    return new SpkError(
      'INTEGRITY_MISMATCH',
      `the blob ${integrity} at "${key}" in ${where} is damaged (its bytes do not match their integrity), so it is not used; ` +
        'trigger an install: it fetches the blob from the registry again and replaces the damaged copy',
      { integrity, storeId: S3_STORE_ID, bucket, key },
    );
  }

  /** The body passed through ssri's verifier: it errors with INTEGRITY_MISMATCH instead of ending when the bytes are wrong. */
  async function* verified(body: Readable, integrity: string, key: string): AsyncGenerator<Buffer> {
    const checker = ssri.integrityStream({ integrity, single: true });
    body.on('error', (error) => checker.emit('error', error));
    body.pipe(checker);
    try {
      for await (const chunk of checker) yield chunk as Buffer;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw code === 'EINTEGRITY' || code === 'EBADSIZE' ? damaged(integrity, key) : failure('read', key, error);
    }
  }

  async function has(integrity: string): Promise<boolean> {
    // A one-byte GET rather than HEAD: a HEAD's 404 has no body, so a missing bucket would look like a missing blob.
    const key = keyOf(integrity);
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=0-0' }));
      await object.Body?.transformToByteArray();
      return true;
    } catch (error) {
      if (isAbsent(error)) return false;
      // An empty object (a blob damaged to nothing) has no byte 0: InvalidRange, yet it is there.
      if ((error as { name?: unknown }).name === 'InvalidRange') return true;
      throw failure('check for', key, error);
    }
  }

  const store: BlobStore = {
    id: S3_STORE_ID,
    has,
    async put(integrity, bytes) {
      verifyBlob(integrity, bytes);
      const key = keyOf(integrity);
      // A present copy is kept only if it reads back intact; a damaged one is overwritten.
      if (await isStoredBlobIntact(store, integrity, bytes.byteLength)) return { written: false };
      await attempt('write', key, () =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
            ContentLength: bytes.byteLength,
            ContentType: 'application/octet-stream',
          }),
        ),
      );
      return { written: true };
    },
    async get(integrity) {
      const key = keyOf(integrity);
      const object = await getObject(key);
      if (!object) return null;
      const bytes = await attempt('read', key, () => object.Body!.transformToByteArray());
      if (!ssri.checkData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), integrity)) throw damaged(integrity, key);
      return bytes;
    },
    async getStream(integrity) {
      const key = keyOf(integrity);
      const object = await getObject(key);
      if (!object) return null;
      const body = object.Body as Readable;
      const stream = Readable.from(verified(body, integrity, key));
      // However the reader stops (the end, an error, destroy() before the first read), the connection is released.
      stream.once('close', () => body.destroy());
      return stream;
    },
    async delete(integrity) {
      // S3 answers a delete of a missing key with success too; ask first so the answer means something.
      if (!(await has(integrity))) return false;
      const key = keyOf(integrity);
      await attempt('delete', key, () => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
      return true;
    },
    async *list() {
      const target = listPrefix ? `the keys under "${listPrefix}"` : 'the keys';
      // ListObjects (v1) paged by Marker, the last key seen: every S3-compatible server has it, while
      // the v2 continuation tokens of s3rver (the loopback server of the tests) need a cipher
      // OpenSSL 3 no longer offers, so a listing over several pages could not be tested with v2.
      let marker: string | undefined;
      for (;;) {
        const page = await attempt('list', target, () =>
          client.send(
            new ListObjectsCommand({ Bucket: bucket, Prefix: listPrefix, MaxKeys: listPageSize, ...(marker ? { Marker: marker } : {}) }),
          ),
        );
        const keys = (page.Contents ?? []).flatMap(({ Key }) => (Key ? [Key] : []));
        for (const key of keys) {
          const name = key.slice(listPrefix.length);
          // Only blobs this store wrote: a nested key or a stray object under the prefix is not one.
          if (SHA512_HEX.test(name)) yield hexToIntegrity(name);
        }
        marker = keys.at(-1);
        if (!page.IsTruncated || marker === undefined) return;
      }
    },
    locate: (integrity) => ({
      location: `s3://${bucket}/${keyOf(integrity)} (${describeEndpoint(settings)})`,
      advice:
        `every core instance must reach the same bucket with credentials that may read it (SPK_S3_* settings, docs/operations.md, "Blob stores"); ` +
        'if the object was deleted, trigger an install, which fetches it from the registry again',
    }),
  };
  return store;
}
