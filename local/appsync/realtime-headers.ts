import type { IncomingMessage } from 'node:http';

/*
 * How AppSync's real-time clients carry their authorization when they connect: a base64 JSON
 * object of headers in the `header` query parameter (with the signed `payload` beside it), or
 * in a `header-<base64url>` websocket subprotocol (what Amplify JS v6 sends).
 */

/** Request headers, with lower-case names. */
export type Headers = Record<string, string | string[] | undefined>;

/** A JSON object's string members as headers; anything else is no headers at all. */
export function lowerCaseKeys(value: unknown): Headers | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const headers: Headers = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') headers[key.toLowerCase()] = item;
  }
  return headers;
}

function decodeBase64Json(text: string): unknown {
  // '+' in an unencoded query string arrives as a space.
  return JSON.parse(Buffer.from(text.replace(/ /g, '+'), 'base64').toString('utf8'));
}

/** Reads the connect-time auth headers and signed payload the way AppSync clients send them. */
export function connectAuth(request: IncomingMessage): { headers?: Headers; payload: string } {
  const url = new URL(request.url ?? '/', 'http://localhost');
  let payload = '{}';
  const payloadParam = url.searchParams.get('payload');
  if (payloadParam) {
    try {
      payload = Buffer.from(payloadParam.replace(/ /g, '+'), 'base64').toString('utf8');
    } catch {
      payload = '{}';
    }
  }
  const headerParam = url.searchParams.get('header');
  if (headerParam) {
    try {
      return { headers: lowerCaseKeys(decodeBase64Json(headerParam)), payload };
    } catch {
      return { payload };
    }
  }
  const offered = String(request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((protocol) => protocol.trim());
  const headerProtocol = offered.find((protocol) => protocol.startsWith('header-'));
  if (headerProtocol) {
    try {
      return {
        headers: lowerCaseKeys(decodeBase64Json(headerProtocol.slice('header-'.length))),
        payload,
      };
    } catch {
      return { payload };
    }
  }
  return { payload };
}
