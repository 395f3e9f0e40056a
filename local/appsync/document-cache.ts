import type { DocumentNode, GraphQLSchema } from 'graphql';
import { GraphQLError, parse, specifiedRules, validate } from 'graphql';
import { checkDepth, checkNesting, MAX_TOKENS } from './request-limits.ts';

/** A query text parsed and validated against the schema, or the errors that refused it. */
export type PreparedDocument =
  { ok: true; document: DocumentNode } | { ok: false; errors: readonly GraphQLError[] };

/** Parses and validates query texts once each, for every later request with the same text. */
export interface DocumentCache {
  prepare(query: string): PreparedDocument;
  readonly size: number;
}

/** Query texts longer than this (characters) are not cached. */
const MAX_CACHED_QUERY_LENGTH = 64 * 1024;

/** How the cache prepares documents. */
export interface DocumentCacheOptions {
  /** Prepared documents kept; default 1000. */
  maxEntries?: number;
  /** AppSync's `queryDepthLimit`; 0 (the default) means no limit. */
  queryDepthLimit?: number;
}

/**
 * Creates a bounded LRU cache of prepared documents: clients send the same few query texts over
 * and over, and parsing plus validation would otherwise cost more than executing them. Every
 * text is checked for nesting before it is parsed, and every document for depth before it is
 * validated, so neither graphql-js's recursive parser nor its validation can be driven out of
 * stack, and a depth limit applies before anything executes.
 */
export function createDocumentCache(
  schema: GraphQLSchema,
  options: DocumentCacheOptions = {},
): DocumentCache {
  const maxEntries = options.maxEntries ?? 1000;
  const queryDepthLimit = options.queryDepthLimit ?? 0;
  const entries = new Map<string, PreparedDocument>();
  const prepareUncached = (query: string): PreparedDocument => {
    const nesting = checkNesting(query);
    if (nesting) return { ok: false, errors: [nesting] };
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: MAX_TOKENS });
    } catch (error) {
      return { ok: false, errors: [asGraphQLError(error)] };
    }
    const depth = checkDepth(document, queryDepthLimit);
    if (depth) return { ok: false, errors: [depth] };
    let errors: readonly GraphQLError[];
    try {
      errors = validate(schema, document, specifiedRules);
    } catch (error) {
      return { ok: false, errors: [asGraphQLError(error)] };
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, document };
  };
  return {
    prepare(query) {
      const hit = entries.get(query);
      if (hit) {
        // Re-insert to mark it most recently used; Map keeps insertion order.
        entries.delete(query);
        entries.set(query, hit);
        return hit;
      }
      const prepared = prepareUncached(query);
      // Real clients send short texts; a huge one is prepared but not kept, so a stream of
      // large distinct bodies cannot pin gigabytes in the cache.
      if (query.length > MAX_CACHED_QUERY_LENGTH) return prepared;
      entries.set(query, prepared);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      return prepared;
    },
    get size() {
      return entries.size;
    },
  };
}

/** A parse or validation failure as a GraphQL error; anything else gets a generic message. */
function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError('The query could not be parsed or validated; simplify it.');
}
