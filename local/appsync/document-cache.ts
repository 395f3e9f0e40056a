import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { parse, specifiedRules, validate } from 'graphql';

/** A query text parsed and validated against the schema, or the errors that refused it. */
export type PreparedDocument =
  { ok: true; document: DocumentNode } | { ok: false; errors: readonly GraphQLError[] };

/** Parses and validates query texts once each, for every later request with the same text. */
export interface DocumentCache {
  prepare(query: string): PreparedDocument;
  readonly size: number;
}

/**
 * Creates a bounded LRU cache of prepared documents: clients send the same few query texts over
 * and over, and parsing plus validation would otherwise cost more than executing them.
 */
export function createDocumentCache(schema: GraphQLSchema, maxEntries = 1000): DocumentCache {
  const entries = new Map<string, PreparedDocument>();
  const prepareUncached = (query: string): PreparedDocument => {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: 50_000 });
    } catch (error) {
      return { ok: false, errors: [error as GraphQLError] };
    }
    const errors = validate(schema, document, specifiedRules);
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
