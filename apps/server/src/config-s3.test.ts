import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('S3 blob store settings', () => {
  it('leave the S3 store unconfigured while SPK_S3_BUCKET is unset or empty, whatever else is set', () => {
    expect(loadConfig({}).s3).toBeUndefined();
    expect(loadConfig({ SPK_S3_BUCKET: '', SPK_S3_PREFIX: 'x', SPK_S3_REGION: 'eu-west-1' }).s3).toBeUndefined();
  });

  it('default to prefix spk-blobs, region us-east-1, virtual-hosted style, AWS itself and the standard credential chain', () => {
    expect(loadConfig({ SPK_S3_BUCKET: 'blobs' }).s3).toEqual({
      bucket: 'blobs',
      prefix: 'spk-blobs',
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: undefined,
    });
    const empty = { SPK_S3_PREFIX: '', SPK_S3_ENDPOINT: '', SPK_S3_REGION: '', SPK_S3_FORCE_PATH_STYLE: '', SPK_S3_ACCESS_KEY_ID: '', SPK_S3_SECRET_ACCESS_KEY: '' };
    expect(loadConfig({ SPK_S3_BUCKET: 'blobs', ...empty }).s3).toEqual(loadConfig({ SPK_S3_BUCKET: 'blobs' }).s3);
  });

  it('read every setting of an S3-compatible server, with credentials given as a pair', () => {
    const s3 = loadConfig({
      SPK_S3_BUCKET: 'spk',
      SPK_S3_PREFIX: 'cluster-a/blobs',
      SPK_S3_ENDPOINT: 'http://127.0.0.1:9000',
      SPK_S3_REGION: 'eu-central-1',
      SPK_S3_FORCE_PATH_STYLE: 'true',
      SPK_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      SPK_S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    }).s3;
    expect(s3).toEqual({
      bucket: 'spk',
      prefix: 'cluster-a/blobs',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    });
    expect(loadConfig({ SPK_S3_BUCKET: 'spk', SPK_S3_FORCE_PATH_STYLE: '1' }).s3?.forcePathStyle).toBe(true);
    expect(loadConfig({ SPK_S3_BUCKET: 'spk', SPK_S3_FORCE_PATH_STYLE: '0' }).s3?.forcePathStyle).toBe(false);
    expect(loadConfig({ SPK_S3_BUCKET: 'spk', SPK_S3_ENDPOINT: 'https://s3.example.com' }).s3?.endpoint).toBe('https://s3.example.com');
  });

  it('drop trailing slashes from the prefix, since keys are <prefix>/<hex>', () => {
    expect(loadConfig({ SPK_S3_BUCKET: 'spk', SPK_S3_PREFIX: 'a/b/' }).s3?.prefix).toBe('a/b');
    expect(loadConfig({ SPK_S3_BUCKET: 'spk', SPK_S3_PREFIX: 'a//' }).s3?.prefix).toBe('a');
  });

  it.each([
    ['SPK_S3_PREFIX', 'blobs?x=1', "must be a plain S3 key prefix (letters, digits and !_.*'()/-, not starting with / nor holding //)"],
    ['SPK_S3_PREFIX', 'spaced prefix', "must be a plain S3 key prefix (letters, digits and !_.*'()/-, not starting with / nor holding //)"],
    ['SPK_S3_PREFIX', '/rooted', "must be a plain S3 key prefix (letters, digits and !_.*'()/-, not starting with / nor holding //)"],
    ['SPK_S3_PREFIX', 'a//b', "must be a plain S3 key prefix (letters, digits and !_.*'()/-, not starting with / nor holding //)"],
    ['SPK_S3_ENDPOINT', 'http://key:secret@127.0.0.1:9000', 'must not carry credentials; set SPK_S3_ACCESS_KEY_ID and SPK_S3_SECRET_ACCESS_KEY instead'],
    ['SPK_S3_ENDPOINT', 'ftp://files.example.com', 'must be an http(s) URL'],
    ['SPK_S3_ENDPOINT', 'localhost:9000', 'must be an http(s) URL'],
    ['SPK_S3_FORCE_PATH_STYLE', 'yes', 'must be true or false (or 1 or 0)'],
  ])('refuse %s=%s, saying what it must be', (name, value, message) => {
    expect(() => loadConfig({ SPK_S3_BUCKET: 'spk', [name]: value })).toThrow(`${name}: ${message}`);
  });

  it('refuse a bucket name S3 would refuse, before any request', () => {
    expect(() => loadConfig({ SPK_S3_BUCKET: 'My_Bucket' })).toThrow('SPK_S3_BUCKET: must be an S3 bucket name');
  });

  it('take the region from AWS_REGION (then AWS_DEFAULT_REGION) when SPK_S3_REGION is unset', () => {
    expect(loadConfig({ SPK_S3_BUCKET: 'spk', AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'ap-south-1' }).s3?.region).toBe('eu-north-1');
    expect(loadConfig({ SPK_S3_BUCKET: 'spk', AWS_DEFAULT_REGION: 'ap-south-1' }).s3?.region).toBe('ap-south-1');
    expect(loadConfig({ SPK_S3_BUCKET: 'spk', SPK_S3_REGION: 'eu-west-3', AWS_REGION: 'eu-north-1' }).s3?.region).toBe('eu-west-3');
  });

  it.each([
    ['only the access key id', { SPK_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE' }],
    ['only the secret key', { SPK_S3_SECRET_ACCESS_KEY: 'a-secret-that-must-not-echo' }],
  ])('refuse %s, saying both go together, without echoing the secret', (_label, env) => {
    let message = '';
    try {
      loadConfig({ SPK_S3_BUCKET: 'spk', ...env });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('SPK_S3_ACCESS_KEY_ID and SPK_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the standard AWS credential chain');
    expect(message).not.toContain('a-secret-that-must-not-echo');
  });
});
