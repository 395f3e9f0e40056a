import { createHash, timingSafeEqual } from 'node:crypto';
import { NodeSha256 } from '../../adapters/clients/sha256.ts';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** What a SigV4-signed request is checked against. */
export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The parts of a received request that a SigV4 signature covers. */
export interface SignedRequest {
  method: string;
  /** Path as received (still percent-encoded), without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string | Uint8Array;
}

export type SigV4Result = { ok: true; accessKeyId: string } | { ok: false; message: string };

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
export const INVALID_TOKEN_MESSAGE = 'The security token included in the request is invalid.';

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;_.-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/i;
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MAX_SKEW_MS = 5 * 60 * 1000;
/** Headers smithy's signer recomputes itself rather than taking from the request. */
const GENERATED = new Set(['authorization', 'x-amz-date', 'date']);

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase(), 'utf8');
  const right = Buffer.from(b.toLowerCase(), 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks a request's AWS Signature Version 4 the way AppSync does for AWS_IAM callers: the
 * signature is recomputed with smithy's signer over what was received (method, path, query,
 * the signed headers, body, x-amz-date) and compared in constant time, so a wrong secret, a
 * tampered body or a stale date is refused locally exactly as it would be in the cloud.
 */
export async function verifySigV4(
  request: SignedRequest,
  options: { credentials: SigV4Credentials; region: string; service: string; now?: Date },
): Promise<SigV4Result> {
  const authorization = headerValue(request.headers.authorization) ?? '';
  const match = AUTH_RE.exec(authorization.trim());
  if (!match) {
    return {
      ok: false,
      message:
        "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
    };
  }
  const [, accessKeyId = '', scopeDate = '', , , signedHeaderList = '', signature = ''] = match;
  if (accessKeyId !== options.credentials.accessKeyId) {
    return { ok: false, message: INVALID_TOKEN_MESSAGE };
  }
  const amzDate = headerValue(request.headers['x-amz-date']);
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!amzDate || !signingDate || !amzDate.startsWith(scopeDate)) {
    return { ok: false, message: 'The request must contain a valid x-amz-date header.' };
  }
  const now = options.now ?? new Date();
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    const stamp = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');
    const bound = new Date(now.getTime() + (signingDate > now ? MAX_SKEW_MS : -MAX_SKEW_MS));
    return {
      ok: false,
      message: `Signature ${signingDate > now ? 'not yet current' : 'expired'}: ${amzDate} is now ${signingDate > now ? 'later' : 'earlier'} than ${stamp(bound)} (${stamp(now)} ${signingDate > now ? '+' : '-'} 5 min.)`,
    };
  }

  const signedNames = signedHeaderList.toLowerCase().split(';');
  if (!signedNames.includes('host')) return { ok: false, message: SIGNATURE_MISMATCH_MESSAGE };
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    if (GENERATED.has(name)) continue;
    const value = headerValue(request.headers[name]);
    if (value === undefined) return { ok: false, message: SIGNATURE_MISMATCH_MESSAGE };
    headers[name] = value;
  }
  // smithy trusts x-amz-content-sha256 as the payload hash; make sure it is the body's.
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash !== undefined) {
    const actual = createHash('sha256').update(request.body).digest('hex');
    if (!sameHex(declaredHash, actual)) return { ok: false, message: SIGNATURE_MISMATCH_MESSAGE };
  }

  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const host = headers.host ?? '';
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method.toUpperCase(),
      hostname: host.replace(/:\d+$/, ''),
      path: request.path,
      query: request.query,
      headers,
      body: request.body,
    }),
    { signingDate, signableHeaders: new Set(signedNames) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''));
  const expectedHeaders = /SignedHeaders=([^,\s]+)/.exec(
    String(signed.headers.authorization ?? ''),
  );
  if (
    !expected?.[1] ||
    expectedHeaders?.[1] !== signedNames.slice().sort().join(';') ||
    !sameHex(expected[1], signature)
  ) {
    return { ok: false, message: SIGNATURE_MISMATCH_MESSAGE };
  }
  return { ok: true, accessKeyId };
}
