import type { GraphQLError, GraphQLSchema, SourceLocation } from 'graphql';
import { getNullableType, isObjectType } from 'graphql';
import { ScalarSerializationError } from './scalars.ts';

/** One entry of an AppSync response's `errors` array. */
export interface AppSyncError {
  path?: ReadonlyArray<string | number> | null;
  data?: null;
  errorType?: string | null;
  errorInfo?: null;
  locations?: Array<{ line: number; column: number; sourceName: null }> | null;
  message: string;
  errorCode?: number;
}

/**
 * A field-level failure that AppSync reports with an `errorType` (Lambda errors, field
 * authorization). Resolvers throw it; {@link formatExecutionError} shapes it.
 */
export class AppSyncFieldError extends Error {
  readonly errorType: string;
  constructor(errorType: string, message: string) {
    super(message);
    this.name = 'AppSyncFieldError';
    this.errorType = errorType;
  }
}

/** The error AppSync gives a caller whose auth mode may not read a field. */
export function unauthorizedFieldError(fieldName: string, typeName: string): AppSyncFieldError {
  return new AppSyncFieldError(
    'Unauthorized',
    `Not Authorized to access ${fieldName} on type ${typeName}`,
  );
}

/** The body AppSync answers a request with when it fails before any GraphQL execution. */
export function requestErrorBody(errorType: string, message: string): string {
  return JSON.stringify({ errors: [{ errorType, message }] });
}

export const UNAUTHORIZED_MESSAGE = 'You are not authorized to make this call.';

function formatLocations(
  locations: ReadonlyArray<SourceLocation> | undefined,
): AppSyncError['locations'] {
  if (!locations || locations.length === 0) return null;
  return locations.map(({ line, column }) => ({ line, column, sourceName: null }));
}

/** AppSync writes a field path as `/listItems/items[0]/createdAt`. */
function pathString(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `/${key}`;
  return out;
}

const NON_NULL_RE = /^Cannot return null for non-nullable field (\w+)\.(\w+)\.$/;

/**
 * Shapes an error raised while executing an operation as AppSync does, so that clients see the
 * same `errorType`/`message` locally as against the real API; no stack or raw error ever leaves.
 */
export function formatExecutionError(error: GraphQLError, schema: GraphQLSchema): AppSyncError {
  const original = error.originalError;
  const path = error.path ?? null;
  if (original instanceof AppSyncFieldError) {
    return {
      path,
      data: null,
      errorType: original.errorType,
      errorInfo: null,
      locations: formatLocations(error.locations),
      message: original.message,
    };
  }
  if (
    original instanceof ScalarSerializationError ||
    (original !== undefined && / cannot represent /.test(original.message))
  ) {
    return {
      path,
      locations: null,
      message: `Can't serialize value (${pathString(path ?? [])}) : ${original.message}`,
    };
  }
  const nonNull = NON_NULL_RE.exec(error.message);
  if (nonNull) {
    const [, typeName = '', fieldName = ''] = nonNull;
    const parent = schema.getType(typeName);
    const field = isObjectType(parent) ? parent.getFields()[fieldName] : undefined;
    const type = field ? String(getNullableType(field.type)) : fieldName;
    return {
      path,
      locations: null,
      message: `Cannot return null for non-nullable type: '${type}' within parent '${typeName}' (${pathString(path ?? [])})`,
    };
  }
  // Anything else comes from graphql itself; its message names no internals.
  return {
    path,
    data: null,
    errorType: null,
    errorInfo: null,
    locations: formatLocations(error.locations),
    message: error.message,
  };
}

/** AppSync's shape for a request refused by parsing, validation or variable coercion. */
export function formatValidationError(error: GraphQLError): AppSyncError {
  return {
    path: null,
    locations: formatLocations(error.locations) ?? [],
    message: error.message,
    errorType: 'ValidationError',
  };
}
