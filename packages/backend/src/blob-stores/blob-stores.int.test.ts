import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ssri from 'ssri';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { integrityToHex, isSpkError, type SpkError } from '@spk/common';
import { describeLeaks, findSecrets, namedSecret, startS3Server, type TestS3Server, type TestS3Settings } from '@spk/tools';
import { blobData } from '../db/schema.ts';
import { silentLogger } from '../services.ts';
import { memoryLogger, type LogLine } from '../testing/memory-logger.ts';
import { createTestDatabase, testDrivers, type TestDatabase } from '../testing/test-database.ts';
import type { BlobStore } from './blob-store.ts';
import { createFilesystemBlobStore } from './filesystem-blob-store.ts';
import { createPostgresBlobStore } from './postgres-blob-store.ts';
import { createS3BlobStore } from './s3-blob-store.ts';

const blob = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { bytes, integrity: ssri.fromData(Buffer.from(bytes), { algorithms: ['sha512'] }).toString() };
};

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out.sort();
}

interface OpenedStore {
  store: BlobStore;
  close(): Promise<void>;
  dir?: string;
  /** Overwrites the stored bytes behind the store's back, as disk rot or tampering would. */
  damage(integrity: string, bytes: Uint8Array): Promise<void>;
}

const stores: Array<[string, () => Promise<OpenedStore>]> = [
  [
    'filesystem',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'spk-fs-store-'));
      const blobs = path.join(dir, 'blobs');
      return {
        store: createFilesystemBlobStore(blobs),
        dir: blobs,
        close: () => rm(dir, { recursive: true, force: true }),
        damage: (integrity, bytes) => writeFile(path.join(blobs, integrityToHex(integrity)), bytes),
      };
    },
  ],
  ...testDrivers().map(
    (driver) =>
      [
        `postgres table (${driver})`,
        async () => {
          const t: TestDatabase = await createTestDatabase(driver);
          return {
            store: createPostgresBlobStore(t.database.db),
            close: () => t.drop(),
            damage: async (integrity, bytes) => {
              await t.database.db.update(blobData).set({ bytes }).where(eq(blobData.integrity, integrity));
            },
          };
        },
      ] as [string, () => Promise<OpenedStore>],
  ),
  [
    'S3 (s3rver on loopback)',
    async () => {
      const s3 = await startS3Server();
      return {
        store: createS3BlobStore(s3.settings, silentLogger),
        close: () => s3.close(),
        damage: (integrity, bytes) => putRaw(s3.settings, `${s3.settings.prefix}/${integrityToHex(integrity)}`, bytes),
      };
    },
  ],
];

/** Writes an object straight into the bucket, past the store, as tampering or another tool would. */
async function putRaw(settings: TestS3Settings, key: string, bytes: Uint8Array): Promise<void> {
  const client = new S3Client({ ...settings, endpoint: settings.endpoint });
  try {
    await client.send(new PutObjectCommand({ Bucket: settings.bucket, Key: key, Body: bytes }));
  } finally {
    client.destroy();
  }
}

describe.each(stores)('blob store: %s', (_name, open) => {
  let ctx: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    ctx = await open();
  });
  afterAll(() => ctx?.close());

  it('stores verified bytes once and reads them back', async () => {
    const a = blob('package a');
    expect(await ctx.store.has(a.integrity)).toBe(false);
    expect(await ctx.store.put(a.integrity, a.bytes)).toEqual({ written: true });
    expect(await ctx.store.put(a.integrity, a.bytes)).toEqual({ written: false });
    expect(await ctx.store.has(a.integrity)).toBe(true);
    expect(Buffer.from((await ctx.store.get(a.integrity))!).toString()).toBe('package a');
    const chunks: Buffer[] = [];
    for await (const chunk of (await ctx.store.getStream(a.integrity))!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('package a');
  });

  it('refuses bytes that do not match their integrity and stores nothing', async () => {
    const good = blob('the real bytes');
    const before = await collect(ctx.store.list());
    let error: unknown;
    try {
      await ctx.store.put(good.integrity, new TextEncoder().encode('tampered bytes'));
    } catch (e) {
      error = e;
    }
    expect(isSpkError(error, 'INTEGRITY_MISMATCH')).toBe(true);
    expect(await ctx.store.has(good.integrity)).toBe(false);
    expect(await collect(ctx.store.list())).toEqual(before);
    if (ctx.dir) expect((await readdir(ctx.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces a damaged copy when the verified bytes are put again, and leaves an intact one alone', async () => {
    const c = blob('package c');
    await ctx.store.put(c.integrity, c.bytes);
    await ctx.damage(c.integrity, new TextEncoder().encode('package c, damaged'));
    expect(await ctx.store.put(c.integrity, c.bytes)).toEqual({ written: true });
    expect(Buffer.from((await ctx.store.get(c.integrity))!).toString()).toBe('package c');
    expect(await ctx.store.put(c.integrity, c.bytes)).toEqual({ written: false });
  });

  it('lists and deletes by integrity', async () => {
    const b = blob('package b');
    await ctx.store.put(b.integrity, b.bytes);
    expect(await collect(ctx.store.list())).toContain(b.integrity);
    expect(await ctx.store.delete(b.integrity)).toBe(true);
    expect(await ctx.store.delete(b.integrity)).toBe(false);
    expect(await ctx.store.get(b.integrity)).toBeNull();
    expect(await ctx.store.getStream(b.integrity)).toBeNull();
  });
});

async function failureOf(attempt: () => Promise<unknown>): Promise<SpkError> {
  try {
    await attempt();
  } catch (error) {
    if (isSpkError(error)) return error;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

describe('blob store: S3 specifics', () => {
  let s3: TestS3Server;
  beforeAll(async () => {
    s3 = await startS3Server({ prefix: 'one' });
  });
  afterAll(() => s3?.close());

  /** Every operation, the verb its failure must name, and how to run it. */
  const operations = (store: BlobStore, x: ReturnType<typeof blob>): Array<[string, () => Promise<unknown>]> => [
    ['check for', () => store.has(x.integrity)],
    ['read', () => store.get(x.integrity)],
    ['read', () => store.getStream(x.integrity)],
    ['read', () => store.put(x.integrity, x.bytes)],
    ['check for', () => store.delete(x.integrity)],
    ['list', () => collect(store.list())],
  ];

  it('a bucket that does not exist fails every operation with BLOB_STORE_FAILED naming the bucket, the operation and the S3 error', async () => {
    const store = createS3BlobStore({ ...s3.settings, bucket: 'spk-no-such-bucket' }, silentLogger);
    const x = blob('for a missing bucket');
    for (const [verb, run] of operations(store, x)) {
      const error = await failureOf(run);
      expect(error.code).toBe('BLOB_STORE_FAILED');
      expect(error.message).toContain(`the S3 blob store (bucket "spk-no-such-bucket", endpoint ${s3.endpoint}) failed to ${verb} `);
      expect(error.message).toContain('NoSuchBucket, HTTP 404; check the bucket exists and the credentials may');
      expect(error.details).toMatchObject({ bucket: 'spk-no-such-bucket', awsError: 'NoSuchBucket', httpStatus: 404 });
    }
  });

  it('credentials the server refuses fail with the bucket and operation named, and the secret key appears in no error or log', async () => {
    const secretAccessKey = 'distinctive-S3-secret-9f2c7a1e5b';
    const lines: LogLine[] = [];
    // s3rver checks the access key id but not V4 signatures, so an unknown key id is what it refuses.
    const store = createS3BlobStore({ ...s3.settings, credentials: { accessKeyId: 'SPK-UNKNOWN-KEY', secretAccessKey } }, memoryLogger(lines));
    const x = blob('for refused credentials');
    const errors: SpkError[] = [];
    for (const [verb, run] of operations(store, x)) {
      const error = await failureOf(run);
      expect(error.code).toBe('BLOB_STORE_FAILED');
      expect(error.message).toContain(`(bucket "${s3.bucket}", endpoint ${s3.endpoint}) failed to ${verb} `);
      expect(error.message).toContain('InvalidAccessKeyId, HTTP 403');
      errors.push(error);
    }
    const captured = [
      ...errors.flatMap((error, i) => [
        { source: `error ${i} message`, text: error.message },
        { source: `error ${i} JSON`, text: JSON.stringify(error) },
        { source: `error ${i} stack`, text: String(error.stack) },
      ]),
      { source: 'log', text: JSON.stringify(lines) },
    ];
    const leaks = findSecrets(captured, [namedSecret('S3 secret access key', secretAccessKey)]);
    expect(leaks, describeLeaks(leaks)).toEqual([]);
  });

  it('a server that is not running fails with BLOB_STORE_FAILED naming the bucket, the operation and the connection error', async () => {
    const stopped = await startS3Server();
    await stopped.close();
    const store = createS3BlobStore(stopped.settings, silentLogger);
    const x = blob('for a stopped server');
    for (const [verb, run] of operations(store, x)) {
      const error = await failureOf(run);
      expect(error.code).toBe('BLOB_STORE_FAILED');
      expect(error.message).toContain(`(bucket "${stopped.bucket}", endpoint ${stopped.endpoint}) failed to ${verb} `);
      expect(error.message).toContain('ECONNREFUSED');
    }
  });

  it('stores under two prefixes of one bucket do not see each other\'s blobs, nor objects that are not blobs', async () => {
    const one = createS3BlobStore(s3.settings, silentLogger);
    const two = createS3BlobStore({ ...s3.settings, prefix: 'two' }, silentLogger);
    const a = blob('only under one');
    const b = blob('only under two');
    await one.put(a.integrity, a.bytes);
    await two.put(b.integrity, b.bytes);
    // Strays under the prefix: a nested key with a blob-like name, and a name that is not a digest.
    await putRaw(s3.settings, `one/nested/${integrityToHex(b.integrity)}`, b.bytes);
    await putRaw(s3.settings, 'one/README', new TextEncoder().encode('not a blob'));

    expect(await collect(one.list())).toEqual([a.integrity]);
    expect(await collect(two.list())).toEqual([b.integrity]);
    expect(await one.has(b.integrity)).toBe(false);
    expect(await two.get(a.integrity)).toBeNull();
    expect(await two.delete(a.integrity)).toBe(false);
    expect(await one.has(a.integrity)).toBe(true);
  });

  it('streams a blob larger than one chunk, verified, and refuses a damaged one from both get and getStream', async () => {
    const store = createS3BlobStore({ ...s3.settings, prefix: 'large' }, silentLogger);
    const bytes = new Uint8Array(randomBytes(3 * 1024 * 1024));
    const integrity = ssri.fromData(Buffer.from(bytes), { algorithms: ['sha512'] }).toString();
    expect(await store.put(integrity, bytes)).toEqual({ written: true });

    const chunks: Buffer[] = [];
    for await (const chunk of (await store.getStream(integrity))!) chunks.push(chunk as Buffer);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);

    const damaged = new Uint8Array(bytes);
    damaged[damaged.length - 1]! ^= 0xff;
    await putRaw(s3.settings, `large/${integrityToHex(integrity)}`, damaged);
    await expect(store.get(integrity)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    const stream = (await store.getStream(integrity))!;
    const reading = (async () => {
      for await (const chunk of stream) void chunk;
    })();
    await expect(reading).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH', message: expect.stringContaining(`bucket "${s3.bucket}"`) });
  });

  it('lists every blob when the listing spans several pages', async () => {
    const store = createS3BlobStore({ ...s3.settings, prefix: 'paged' }, silentLogger, { listPageSize: 2 });
    const blobs = ['p1', 'p2', 'p3', 'p4', 'p5'].map(blob);
    for (const x of blobs) await store.put(x.integrity, x.bytes);
    expect(await collect(store.list())).toEqual(blobs.map((x) => x.integrity).sort());
  });
});
