import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { dynamodb } from '../../../../adapters/clients/dynamodb.ts';
import { sns } from '../../../../adapters/clients/sns.ts';
import { sqs } from '../../../../adapters/clients/sqs.ts';
import { NodeSha256 } from '../../../../adapters/clients/sha256.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function digestOf(secret: string | Uint8Array | undefined, data: string): Promise<string> {
  const hash = new NodeSha256(secret);
  hash.update(Buffer.from(data));
  return hex(await hash.digest());
}

describe('NodeSha256', () => {
  it('computes SHA-256 (FIPS 180-2 "abc")', async () => {
    expect(await digestOf(undefined, 'abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('computes HMAC-SHA-256 (RFC 4231 test case 2)', async () => {
    expect(await digestOf('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('agrees with node:crypto for keys used again, and for a key whose bytes changed', async () => {
    const key = new Uint8Array(randomBytes(32));
    const reference = (k: Uint8Array, data: string) =>
      createHmac('sha256', Buffer.from(k)).update(data).digest('hex');
    for (const data of ['one', 'two', 'one']) {
      expect(await digestOf(key, data)).toBe(reference(key, data));
    }
    key[0] = (key[0] ?? 0) ^ 0xff;
    expect(await digestOf(key, 'one')).toBe(reference(key, 'one'));
    const view = new Uint8Array(key.buffer, 8, 16);
    expect(await digestOf(view, 'one')).toBe(reference(view, 'one'));
    const buffer = new Uint8Array(key).buffer;
    const fromBuffer = new NodeSha256(buffer);
    fromBuffer.update(Buffer.from('one'));
    expect(hex(await fromBuffer.digest())).toBe(reference(key, 'one'));
  });

  it('keeps answering correctly past the number of keys it keeps', async () => {
    for (let i = 0; i < 100; i++) {
      const key = `secret-${i}`;
      expect(await digestOf(key, 'data')).toBe(
        createHmac('sha256', key).update('data').digest('hex'),
      );
    }
  });

  it('gives the same HMAC when read twice, and a plain hash for an empty secret, as the SDK does', async () => {
    const hmac = new NodeSha256('key');
    hmac.update(Buffer.from('data'));
    const expected = createHmac('sha256', 'key').update('data').digest('hex');
    expect(hex(await hmac.digest())).toBe(expected);
    expect(hex(await hmac.digest())).toBe(expected);
    expect(await digestOf('', 'abc')).toBe(createHash('sha256').update('abc').digest('hex'));
  });

  it('hashes chunks in order, may be read twice, and starts over on reset', async () => {
    const hash = new NodeSha256();
    hash.update(Buffer.from('ab'));
    hash.update(Buffer.from('c'));
    const first = hex(await hash.digest());
    expect(first).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(hex(await hash.digest())).toBe(first);
    hash.reset();
    hash.update(Buffer.from('xyz'));
    expect(hex(await hash.digest())).toBe(createHash('sha256').update('xyz').digest('hex'));
  });

  it('signs a request exactly as the reference implementation does', async () => {
    const request = () =>
      new HttpRequest({
        method: 'POST',
        protocol: 'https:',
        hostname: 'example.appsync-api.eu-west-1.amazonaws.com',
        path: '/graphql',
        headers: {
          'content-type': 'application/json',
          host: 'example.appsync-api.eu-west-1.amazonaws.com',
        },
        body: JSON.stringify({ query: 'mutation { publishAlert(input: {}) { id } }' }),
      });
    const sign = (sha256: typeof Sha256 | typeof NodeSha256) =>
      new SignatureV4({
        service: 'appsync',
        region: 'eu-west-1',
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
          sessionToken: 'token',
        },
        sha256,
      }).sign(request(), { signingDate: new Date('2026-11-23T10:00:00Z') });
    const [ours, reference] = await Promise.all([sign(NodeSha256), sign(Sha256)]);
    expect(ours.headers.authorization).toBe(reference.headers.authorization);
    expect(ours.headers['x-amz-content-sha256']).toBe(reference.headers['x-amz-content-sha256']);
  });
});

describe('the handlers’ AWS SDK clients', () => {
  it.each([
    ['DynamoDB', dynamodb],
    ['SNS', sns],
    ['SQS', sqs],
  ])('%s signs with NodeSha256 and has no logger middleware', (_name, client) => {
    expect(client.config.sha256).toBe(NodeSha256);
    const names = client.middlewareStack.identify().join('\n');
    expect(names).toContain('awsAuthMiddleware');
    expect(names).not.toContain('loggerMiddleware');
  });
});
