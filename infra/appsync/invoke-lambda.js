// AppSync resolver code (APPSYNC_JS) for every Lambda-backed field, deployed by the CDK
// stack and run by the local endpoint alike.
//
// AppSync reports any error a Lambda function throws as errorType "Lambda:Unhandled", so
// the functions return expected errors as a value, { __error: { errorType, message } },
// and this response handler raises them with their own errorType (ValidationError,
// NotFound, ...). A function that throws failed unexpectedly: the client gets a generic
// InternalFailure, the details stay in the function's log.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'Invoke',
    payload: {
      arguments: ctx.arguments,
      identity: ctx.identity,
      source: ctx.source,
      request: ctx.request,
      info: ctx.info,
      prev: ctx.prev,
      stash: ctx.stash,
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(
      'The request failed on our side; retry it, and report it if it persists',
      'InternalFailure',
    );
  }
  const failure = ctx.result ? ctx.result.__error : null;
  if (failure) {
    util.error(failure.message, failure.errorType);
  }
  return ctx.result;
}
