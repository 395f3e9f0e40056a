import { randomUUID } from 'node:crypto';
import type { AppSyncAuthorizerEvent } from 'aws-lambda';
import { overTheWire } from '../json-wire.ts';
import { UNAUTHORIZED_MESSAGE } from './appsync-errors.ts';
import type { Logger } from './schema.ts';

/** The API's AWS_LAMBDA mode: the authorizer function and how its answers are used. */
export interface LambdaAuthorizerConfig {
  /** Stands in for the authorizer Lambda: AppSync's request in, its answer out. */
  invoke(event: AppSyncAuthorizerEvent): Promise<unknown>;
  /**
   * AppSync's `authorizerResultTtlInSeconds`: how long an answer is reused for the same token
   * when it carries no `ttlOverride`; 0 to 3600, default 0 (no caching).
   */
  ttlSeconds?: number;
  /** AppSync's `identityValidationExpression`: a token that does not match is refused unseen. */
  identityValidationExpression?: string;
}

/** The identity AppSync hands resolvers for a Lambda-authorized caller. */
export interface LambdaIdentity {
  resolverContext: Record<string, unknown>;
}

/** The operation a request carries, as the authorizer's `requestContext` shows it. */
export interface AuthorizerOperation {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown>;
}

/** The operation of a GraphQL request body (parsed JSON), leniently: what is missing is empty. */
export function authorizerOperation(request: unknown): AuthorizerOperation {
  const body = isRecord(request) ? request : {};
  return {
    query: typeof body.query === 'string' ? body.query : '',
    operationName: typeof body.operationName === 'string' ? body.operationName : null,
    variables: isRecord(body.variables) ? body.variables : {},
  };
}

export type LambdaResult =
  | { ok: true; identity: LambdaIdentity; deniedFields: ReadonlySet<string> }
  | { ok: false; message: string };

type Decision =
  | { authorized: false }
  | { authorized: true; identity: LambdaIdentity; deniedFields: ReadonlySet<string> };

/** AppSync's limit on an authorizer answer's cache time. */
const MAX_TTL_SECONDS = 3600;
/** Decisions kept at most; the oldest goes first (random tokens must not grow memory). */
const MAX_CACHED_DECISIONS = 10_000;
const SHORT_FIELD = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/;
const FIELD_ARN =
  /^arn:aws:appsync:([^:]+):([^:]+):apis\/([^/]+)\/types\/([^/]+)\/fields\/([^/]+)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function flatHeaders(headers: Readonly<Record<string, string | string[] | undefined>>) {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Why an answer is not one AppSync accepts, or undefined when it is. */
function malformation(answer: unknown): string | undefined {
  if (!isRecord(answer)) return 'the answer is not an object';
  if (typeof answer.isAuthorized !== 'boolean') return 'isAuthorized is not a boolean';
  if (answer.resolverContext !== undefined && !isRecord(answer.resolverContext)) {
    return 'resolverContext is not an object';
  }
  const { deniedFields, ttlOverride } = answer;
  if (
    deniedFields !== undefined &&
    (!Array.isArray(deniedFields) || deniedFields.some((field) => typeof field !== 'string'))
  ) {
    return 'deniedFields is not a list of strings';
  }
  if (
    ttlOverride !== undefined &&
    (typeof ttlOverride !== 'number' || !Number.isFinite(ttlOverride) || ttlOverride < 0)
  ) {
    return 'ttlOverride is not a number of seconds';
  }
  return undefined;
}

/**
 * Runs the API's Lambda authorizer as AppSync does: a token the identity validation
 * expression refuses is refused without a call; otherwise the function gets AppSync's request
 * (`authorizationToken`, `requestContext`, `requestHeaders`) and its answer decides
 * (`isAuthorized`; `resolverContext` becomes the identity; `deniedFields` as `Type.field` or
 * field ARNs of this API). Answers are reused for the same token for `ttlOverride` or the
 * configured TTL, when that is above 0. An authorizer that fails or answers something
 * malformed refuses the request, and is logged.
 */
export function createLambdaAuthorizer(
  config: LambdaAuthorizerConfig,
  api: { region: string; accountId: string; apiId: string; logger: Logger },
): (
  token: string,
  request: {
    headers: Readonly<Record<string, string | string[] | undefined>>;
    operation: AuthorizerOperation;
  },
) => Promise<LambdaResult> {
  const { logger } = api;
  const defaultTtl = Math.min(config.ttlSeconds ?? 0, MAX_TTL_SECONDS);
  const validation =
    config.identityValidationExpression === undefined
      ? undefined
      : new RegExp(`^(?:${config.identityValidationExpression})$`);
  const cache = new Map<string, { expiresAt: number; decision: Decision }>();

  const deniedFieldsOf = (entries: readonly string[]): ReadonlySet<string> => {
    const denied = new Set<string>();
    for (const entry of entries) {
      if (SHORT_FIELD.test(entry)) {
        denied.add(entry);
        continue;
      }
      const arn = FIELD_ARN.exec(entry);
      if (!arn) {
        logger.warn('Lambda authorizer denied a field by a name that is not Type.field or an ARN', {
          entry,
        });
        continue;
      }
      const [, region, accountId, apiId, typeName, fieldName] = arn;
      // An ARN of another API sharing the authorizer does not concern this one.
      if (region === api.region && accountId === api.accountId && apiId === api.apiId) {
        denied.add(`${typeName}.${fieldName}`);
      }
    }
    return denied;
  };

  const decide = async (
    token: string,
    request: Parameters<ReturnType<typeof createLambdaAuthorizer>>[1],
  ): Promise<{ decision: Decision; ttlSeconds: number } | undefined> => {
    const { operation } = request;
    const event: AppSyncAuthorizerEvent = {
      authorizationToken: token,
      requestContext: {
        apiId: api.apiId,
        accountId: api.accountId,
        requestId: randomUUID(),
        queryString: operation.query,
        ...(operation.operationName === null ? {} : { operationName: operation.operationName }),
        variables: operation.variables,
      },
      requestHeaders: flatHeaders(request.headers),
    };
    let answer: unknown;
    try {
      answer = overTheWire(await config.invoke(overTheWire(event) as AppSyncAuthorizerEvent));
    } catch (error) {
      logger.error('Lambda authorizer failed; the request is refused', {
        message: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
    const problem = malformation(answer);
    if (problem) {
      logger.error(`Lambda authorizer answer is malformed (${problem}); the request is refused`);
      return undefined;
    }
    const result = answer as {
      isAuthorized: boolean;
      resolverContext?: Record<string, unknown>;
      deniedFields?: string[];
      ttlOverride?: number;
    };
    const ttlSeconds = Math.min(result.ttlOverride ?? defaultTtl, MAX_TTL_SECONDS);
    if (!result.isAuthorized) return { decision: { authorized: false }, ttlSeconds };
    return {
      decision: {
        authorized: true,
        identity: { resolverContext: result.resolverContext ?? {} },
        deniedFields: deniedFieldsOf(result.deniedFields ?? []),
      },
      ttlSeconds,
    };
  };

  return async (token, request) => {
    if (validation && !validation.test(token)) return { ok: false, message: UNAUTHORIZED_MESSAGE };
    const now = Date.now();
    let decision = cache.get(token);
    if (decision && decision.expiresAt <= now) {
      cache.delete(token);
      decision = undefined;
    }
    if (!decision) {
      const decided = await decide(token, request);
      if (!decided) return { ok: false, message: UNAUTHORIZED_MESSAGE };
      decision = { expiresAt: now + decided.ttlSeconds * 1000, decision: decided.decision };
      if (decided.ttlSeconds > 0) {
        if (cache.size >= MAX_CACHED_DECISIONS) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        cache.set(token, decision);
      }
    }
    const { decision: outcome } = decision;
    if (!outcome.authorized) return { ok: false, message: UNAUTHORIZED_MESSAGE };
    return { ok: true, identity: outcome.identity, deniedFields: outcome.deniedFields };
  };
}
