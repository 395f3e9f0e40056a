import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { GraphQLError, getOperationAST } from 'graphql';
import type { DocumentCache } from './document-cache.ts';
import { checkVariablesNesting } from './request-limits.ts';

/** A request's operation, ready to run, or the validation errors that refused it. */
export type PreparedOperation =
  | { ok: true; document: DocumentNode; operation: OperationDefinitionNode }
  | { ok: false; errors: readonly GraphQLError[] };

/**
 * What the HTTP endpoint and the real-time endpoint do alike with a request before running it:
 * check the variables' nesting, parse and validate the query (once per text, through the
 * cache) and pick the operation to run, refusing with AppSync's messages. Each endpoint then
 * checks the kind of operation it serves and formats the errors its own way.
 */
export function prepareOperation(
  documents: DocumentCache,
  request: { query: string; variables: unknown; operationName: string | undefined },
): PreparedOperation {
  const nestedTooDeeply = checkVariablesNesting(request.variables);
  if (nestedTooDeeply) return { ok: false, errors: [nestedTooDeeply] };
  const prepared = documents.prepare(request.query);
  if (!prepared.ok) return prepared;
  const { document } = prepared;
  const operation = getOperationAST(document, request.operationName);
  if (!operation) {
    const message = request.operationName
      ? `Unknown operation named "${request.operationName}".`
      : 'Must provide operation name if query contains multiple operations.';
    return { ok: false, errors: [new GraphQLError(message)] };
  }
  return { ok: true, document, operation };
}
