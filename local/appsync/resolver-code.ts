import { AppSyncFieldError } from './appsync-errors.ts';

/** The context an AppSync JS resolver function receives (the parts this endpoint fills). */
export interface ResolverContext {
  arguments: Record<string, unknown>;
  args: Record<string, unknown>;
  identity: unknown;
  source: unknown;
  request: { headers: Record<string, string>; domainName: string | null };
  info: Record<string, unknown>;
  prev: unknown;
  stash: Record<string, unknown>;
  result?: unknown;
  error?: { message: string; type: string } | null;
}

/** A unit resolver's code: `request` builds the Lambda payload, `response` shapes the result. */
export interface ResolverCode {
  request(ctx: ResolverContext): { operation: string; payload: unknown };
  response(ctx: ResolverContext): unknown;
}

const UTIL_IMPORT = /^import\s*\{\s*util\s*\}\s*from\s*['"]@aws-appsync\/utils['"];?\s*$/m;

/**
 * Runs the same APPSYNC_JS resolver file the CDK stack deploys. Such files import `util`
 * from `@aws-appsync/utils`, which exists only inside AppSync; here that one import is
 * replaced by the part of `util` the endpoint implements: `util.error`, which, as in AppSync,
 * ends the resolver with a GraphQL error of the given errorType.
 */
export function loadResolverCode(source: string): ResolverCode {
  if (/^\s*import\s/m.test(source.replace(UTIL_IMPORT, ''))) {
    throw new Error('Resolver code may import only { util } from @aws-appsync/utils');
  }
  const body = source.replace(UTIL_IMPORT, '').replace(/^export\s+function\s/gm, 'function ');
  const util = {
    error(message: string, errorType?: string): never {
      throw new AppSyncFieldError(errorType ?? 'CustomTemplateException', message);
    },
  };
  const factory = new Function('util', `'use strict';\n${body}\nreturn { request, response };`);
  return factory(util) as ResolverCode;
}
