import type { AppSyncResolverEvent } from 'aws-lambda';
import type { ConstDirectiveNode, GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import { buildSchema, isObjectType, Kind } from 'graphql';
import type { AuthMode, Caller } from './auth.ts';
import { AppSyncFieldError, unauthorizedFieldError } from './appsync-errors.ts';
import type { FieldAuthRule, FieldAuthRules } from './field-auth.ts';
import { admits, buildFieldAuthRules } from './field-auth.ts';
import { overTheWire } from '../json-wire.ts';
import type { ResolverCode, ResolverContext as ResolverCodeContext } from './resolver-code.ts';
import { installAppSyncScalars } from './scalars.ts';
import { selectionSetInfo } from './selection-set.ts';

/** A direct Lambda resolver: gets AppSync's event, resolves to the field's value. */
export type LambdaInvoke = (
  event: AppSyncResolverEvent<Record<string, unknown>>,
) => Promise<unknown>;

/** Where the endpoint reports what it does not put in responses. */
export interface Logger {
  info(msg: string, extra?: object): void;
  warn(msg: string, extra?: object): void;
  error(msg: string, extra?: object): void;
}

/** Per-operation state every resolver sees as graphql's context value. */
export interface ResolverContext {
  caller: Caller;
  /** The request's headers as received (Node lower-cases the names). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The operation's variables as the client sent them. */
  variables: Record<string, unknown>;
  eventHeaders?: Record<string, string>;
  /** Resolvers invoked so far for this request, against `resolverCountLimit`. */
  resolverInvocations?: number;
}

/** The schema plus what the endpoint derives from its AppSync directives. */
export interface AppSyncSchema {
  schema: GraphQLSchema;
  /** Subscription field names to notify, by the mutation field that triggers them. */
  subscriptionsByMutation: ReadonlyMap<string, readonly string[]>;
  /** Who may use each object field, by `Type.field`. */
  fieldAuthRules: FieldAuthRules;
}

export interface AppSyncSchemaOptions {
  schemaSdl: string;
  lambdaResolvers: Readonly<Record<string, LambdaInvoke>>;
  /** Resolver code (APPSYNC_JS) in front of every Lambda resolver; without it they are direct. */
  lambdaResolverCode?: ResolverCode;
  noneResolvers: readonly string[];
  /** The API's default auth mode: what a field without auth directives (nor its type) admits. */
  defaultAuthMode: AuthMode;
  /** Every auth mode the API has; a field admitting all of them without groups needs no check. */
  authModes: ReadonlySet<AuthMode>;
  logger: Logger;
  /** AppSync's `resolverCountLimit`: resolver invocations per request; default 10,000. */
  resolverCountLimit?: number;
}

type Resolver = GraphQLFieldResolver<unknown, ResolverContext>;

function eventHeaders(context: ResolverContext): Record<string, string> {
  if (context.eventHeaders) return context.eventHeaders;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(context.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  context.eventHeaders = headers;
  return headers;
}

/**
 * What AppSync makes of an error a Lambda function throws: whatever its type, the field's
 * errorType is `Lambda:Unhandled` with the error's message.
 */
function lambdaError(error: unknown, key: string, logger: Logger): AppSyncFieldError {
  if (error instanceof Error) {
    logger.error(`Lambda resolver ${key} failed`, {
      errorType: error.name,
      message: error.message,
      stack: error.stack,
    });
    return new AppSyncFieldError('Lambda:Unhandled', error.message);
  }
  logger.error(`Lambda resolver ${key} rejected with a non-Error value`, { value: error });
  const message = typeof error === 'string' ? error : 'Lambda function failed';
  return new AppSyncFieldError('Lambda:Unhandled', message);
}

function lambdaResolver(
  key: string,
  invoke: LambdaInvoke,
  isRoot: boolean,
  logger: Logger,
  code: ResolverCode | undefined,
): Resolver {
  return async (source, args, context, info) => {
    const selection = selectionSetInfo(info);
    const event = {
      arguments: args,
      identity: context.caller.identity,
      source: isRoot ? null : (source ?? null),
      request: { headers: eventHeaders(context), domainName: null },
      info: {
        fieldName: info.fieldName,
        parentTypeName: info.parentType.name,
        variables: context.variables,
        selectionSetList: selection.selectionSetList,
        selectionSetGraphQL: selection.selectionSetGraphQL,
      },
      prev: null,
      stash: {},
    };
    if (code) return invokeThroughCode(code, event, key, invoke, logger);
    let result: unknown;
    try {
      result = await invoke(overTheWire(event) as AppSyncResolverEvent<Record<string, unknown>>);
    } catch (error) {
      throw lambdaError(error, key, logger);
    }
    try {
      return overTheWire(result);
    } catch (error) {
      logger.error(`Lambda resolver ${key} returned a value that is not JSON`, {
        message: error instanceof Error ? error.message : String(error),
      });
      throw new AppSyncFieldError('Lambda:Unhandled', 'The Lambda response is not valid JSON');
    }
  };
}

/**
 * A Lambda data source behind resolver code, as AppSync runs it: `request` builds the
 * payload, the function is invoked, and `response` sees its result or its error
 * (`{ type: 'Lambda:Unhandled', message }`) and may raise a GraphQL error with `util.error`.
 */
async function invokeThroughCode(
  code: ResolverCode,
  event: Omit<ResolverCodeContext, 'args'>,
  key: string,
  invoke: LambdaInvoke,
  logger: Logger,
): Promise<unknown> {
  const ctx: ResolverCodeContext = { ...event, args: event.arguments };
  const { payload } = code.request(ctx);
  let result: unknown = null;
  let error: ResolverCodeContext['error'] = null;
  try {
    result = overTheWire(
      await invoke(overTheWire(payload) as AppSyncResolverEvent<Record<string, unknown>>),
    );
  } catch (thrown) {
    const failure = lambdaError(thrown, key, logger);
    error = { type: failure.errorType, message: failure.message };
  }
  return code.response({ ...ctx, result, error });
}

const propertyResolver: Resolver = (source, args, context, info) => {
  if (source === null || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[info.fieldName];
  return typeof value === 'function' ? value.call(source, args, context, info) : value;
};

function withFieldAuth(
  inner: Resolver,
  rule: FieldAuthRule,
  typeName: string,
  fieldName: string,
): Resolver {
  return (source, args, context, info) => {
    if (!admits(rule, context.caller, typeName, fieldName)) {
      throw unauthorizedFieldError(fieldName, typeName);
    }
    return inner(source, args, context, info);
  };
}

/**
 * Whether a field must be checked for each caller: unless it admits every mode of the API and
 * every user of the pool, and no Lambda authorizer can deny fields by name.
 */
function needsCheck(rule: FieldAuthRule, authModes: ReadonlySet<AuthMode>): boolean {
  if (rule.cognitoGroups || authModes.has('AWS_LAMBDA')) return true;
  for (const mode of authModes) if (!rule.modes.has(mode)) return true;
  return false;
}

/**
 * Counts a field's resolver invocations per request, as AppSync does against the API's
 * `resolverCountLimit`: past the limit, the field is not resolved and reports AppSync's
 * `ResolverExecutionLimitReached` error instead, so a request cannot fan out without bound.
 */
function counted(inner: Resolver, limit: number): Resolver {
  return (source, args, context, info) => {
    const invocations = (context.resolverInvocations ?? 0) + 1;
    context.resolverInvocations = invocations;
    if (invocations > limit) {
      throw new AppSyncFieldError(
        'ResolverExecutionLimitReached',
        `Resolver invocation limit reached: a request may invoke at most ${limit} resolvers.`,
      );
    }
    return inner(source, args, context, info);
  };
}

function subscribedMutations(directives: ReadonlyArray<ConstDirectiveNode>): string[] {
  const names: string[] = [];
  for (const directive of directives) {
    if (directive.name.value !== 'aws_subscribe') continue;
    for (const argument of directive.arguments ?? []) {
      if (argument.name.value !== 'mutations') continue;
      const value = argument.value;
      const items = value.kind === Kind.LIST ? value.values : [value];
      for (const item of items) if (item.kind === Kind.STRING) names.push(item.value);
    }
  }
  return names;
}

/**
 * Builds the executable schema once at start-up: AppSync scalars, the configured direct Lambda
 * and NONE resolvers, and AppSync's per-field auth checks baked into the field resolvers, so a
 * request costs no schema work beyond graphql's own execution.
 */
export function buildAppSyncSchema(options: AppSyncSchemaOptions): AppSyncSchema {
  const { logger } = options;
  const resolverCountLimit = options.resolverCountLimit ?? 10_000;
  const schema = buildSchema(options.schemaSdl);
  installAppSyncScalars(schema);
  const rootTypes = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .filter((type) => type !== null && type !== undefined)
      .map((type) => type.name),
  );
  const operationRoots = new Set(
    [schema.getQueryType(), schema.getMutationType()]
      .filter((type) => type !== null && type !== undefined)
      .map((type) => type.name),
  );
  const noneResolvers = new Set(options.noneResolvers);
  const configured = new Set([...Object.keys(options.lambdaResolvers), ...noneResolvers]);
  const warned = new Set<string>();
  const fieldAuthRules = buildFieldAuthRules(schema, options.defaultAuthMode);

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      configured.delete(key);
      const invoke = options.lambdaResolvers[key];
      let resolver: Resolver | undefined;
      if (invoke) {
        resolver = counted(
          lambdaResolver(key, invoke, rootTypes.has(type.name), logger, options.lambdaResolverCode),
          resolverCountLimit,
        );
      } else if (noneResolvers.has(key)) {
        resolver = counted(
          (_source, args) => (args as { input?: unknown }).input ?? null,
          resolverCountLimit,
        );
      } else if (operationRoots.has(type.name)) {
        resolver = () => {
          if (!warned.has(key)) {
            warned.add(key);
            logger.warn(`No resolver is configured for ${key}; it resolves to null`);
          }
          return null;
        };
      }
      const rule = fieldAuthRules.get(key);
      if (rule && needsCheck(rule, options.authModes)) {
        resolver = withFieldAuth(resolver ?? propertyResolver, rule, type.name, field.name);
      }
      if (resolver) field.resolve = resolver as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  if (configured.size > 0) {
    throw new Error(
      `Resolvers configured for fields the schema does not have: ${[...configured].join(', ')}`,
    );
  }

  const subscriptionsByMutation = new Map<string, string[]>();
  const subscriptionType = schema.getSubscriptionType();
  const mutationFields = schema.getMutationType()?.getFields() ?? {};
  if (subscriptionType) {
    for (const field of Object.values(subscriptionType.getFields())) {
      for (const mutation of subscribedMutations(field.astNode?.directives ?? [])) {
        if (!mutationFields[mutation]) {
          logger.warn(
            `Subscription.${field.name} subscribes to unknown mutation ${mutation}; ignored`,
          );
          continue;
        }
        const list = subscriptionsByMutation.get(mutation) ?? [];
        list.push(field.name);
        subscriptionsByMutation.set(mutation, list);
      }
    }
  }
  return { schema, subscriptionsByMutation, fieldAuthRules };
}
