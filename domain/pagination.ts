import { createHash } from 'node:crypto';
import { ValidationError } from './errors.ts';
import { limits } from './limits.ts';

/** A validated page request: the size and where the previous page stopped. */
export interface PageRequest {
  limit: number;
  /** The storage position after which this page starts, or null for the first page. */
  after: Record<string, string> | null;
  /** The query the page belongs to, which its `nextToken` is bound to. */
  scope: object;
}

/**
 * Reads `limit` and `nextToken`. A token is bound to the query that issued it: replaying it
 * with other arguments, or altering it, is refused rather than silently paging elsewhere.
 */
export function pageRequest(
  args: { limit?: number | null; nextToken?: string | null },
  scope: object,
): PageRequest {
  const limit = args.limit ?? limits.defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxPageSize) {
    throw new ValidationError(
      `limit must be between 1 and ${limits.maxPageSize}; got ${limit}`,
      'limit',
    );
  }
  if (args.nextToken === null || args.nextToken === undefined) return { limit, after: null, scope };
  return { limit, after: decodeToken(args.nextToken, scope), scope };
}

/** Makes the opaque `nextToken` for a page that stopped at `position`. */
export function nextToken(
  position: Record<string, string> | null,
  page: PageRequest,
): string | null {
  if (position === null) return null;
  return Buffer.from(JSON.stringify({ q: fingerprint(page.scope), p: position })).toString(
    'base64url',
  );
}

function decodeToken(token: string, query: object): Record<string, string> {
  const invalid = () =>
    new ValidationError(
      'nextToken is invalid: pass back the nextToken of the previous page, with the same arguments',
      'nextToken',
    );
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (decoded === null || typeof decoded !== 'object') throw invalid();
  const { q, p } = decoded as { q?: unknown; p?: unknown };
  if (q !== fingerprint(query) || p === null || typeof p !== 'object') throw invalid();
  const entries = Object.entries(p);
  if (entries.length === 0 || entries.some(([, v]) => typeof v !== 'string')) throw invalid();
  return p as Record<string, string>;
}

function fingerprint(query: object): string {
  const canonical = JSON.stringify(Object.entries(query).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
