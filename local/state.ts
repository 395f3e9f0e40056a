import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** Secrets the local stack makes once and keeps, so clients keep working across restarts. */
export interface LocalSecrets {
  /** What the worker signs `publishAlert` with, and what the endpoint verifies (SigV4). */
  accessKeyId: string;
  secretAccessKey: string;
  /** The demo device credential's token (device ids `demo-*`); only its hash is in the table. */
  demoDeviceToken: string;
}

/**
 * Loads the secrets from `dir`, making them on first start (or every start when `dir` is null).
 * Secrets a newer version needs are added to an older file; an API key an older version kept
 * is dropped.
 */
export function localSecrets(dir: string | null): LocalSecrets {
  const file = dir ? join(dir, 'secrets.json') : null;
  const kept =
    file && existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets> & { apiKey?: string })
      : {};
  const secrets: LocalSecrets = {
    accessKeyId: kept.accessKeyId ?? `AKIALOCAL${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: kept.secretAccessKey ?? randomBytes(30).toString('base64url'),
    demoDeviceToken:
      kept.demoDeviceToken ??
      `tad_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('hex')}`,
  };
  const changed = Object.keys(kept).sort().join() !== Object.keys(secrets).sort().join();
  if (file && dir && changed) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

/**
 * The first admin's password, made on first start to meet the user pool's password policy
 * (infra/resources.ts), kept in `dir` so `.local/outputs.json` shows one that still works.
 */
export function localAdminPassword(dir: string | null): string {
  return keptSecret(dir, 'admin-password', () => {
    const pick = (chars: string) => chars.charAt(randomInt(chars.length));
    // One of each class the policy asks for, then 20 random characters (about 120 bits).
    return [
      pick('ABCDEFGHJKLMNPQRSTUVWXYZ'),
      pick('abcdefghijkmnopqrstuvwxyz'),
      pick('23456789'),
      pick('!#%+-=@^_~'),
      randomBytes(15).toString('base64url'),
    ].join('');
  });
}

/**
 * The user pool's token signing key (RSA, PKCS#8 PEM), made on first start and kept in `dir`,
 * so tokens issued before a restart still verify, and nobody else holds it.
 */
export function localSigningKey(dir: string | null): string {
  return keptSecret(
    dir,
    'signing-key.pem',
    () =>
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }) as string,
  );
}

/** Reads `dir/file`, or makes it with `make` and writes it readable by its owner only. */
function keptSecret(dir: string | null, file: string, make: () => string): string {
  const path = dir ? join(dir, file) : null;
  if (path && existsSync(path)) return readFileSync(path, 'utf8');
  const secret = make();
  if (path && dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, secret, { mode: 0o600 });
  }
  return secret;
}

/**
 * The self-signed certificate for the HTTPS endpoint, made on first start: AWS Amplify JS
 * always opens `wss://`, so the local API must speak TLS. Valid for localhost and 127.0.0.1.
 */
export async function localCertificate(
  dir: string,
): Promise<{ certPath: string; key: string; cert: string }> {
  mkdirSync(dir, { recursive: true });
  const certPath = join(dir, 'localhost.crt');
  const keyPath = join(dir, 'localhost.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 825 * 24 * 3600 * 1000),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    writeFileSync(keyPath, pems.private, { mode: 0o600 });
    writeFileSync(certPath, pems.cert);
  }
  return { certPath, key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}
