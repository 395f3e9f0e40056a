import type { AppSyncResolverEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { appSyncResolver, InternalFailure } from '../../../adapters/appsync-resolver.ts';
import {
  NotFoundError,
  QueueUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../../../domain/errors.ts';

const event = (fieldName: string) =>
  ({
    arguments: {},
    info: { parentTypeName: 'Query', fieldName },
  }) as unknown as AppSyncResolverEvent<Record<string, unknown>>;

describe('the resolver adapter maps errors by class', () => {
  it.each([
    [new ValidationError('threshold must be a number', 'input.threshold'), 'ValidationError'],
    [new NotFoundError("No rule with id 'r1'"), 'NotFound'],
    [new QueueUnavailableError('retry it'), 'QueueUnavailable'],
    [new UnauthorizedError("This credential does not cover device 'D9'"), 'Unauthorized'],
  ])(
    'given a client error, then it is returned with its errorType and message',
    async (error, errorType) => {
      // Prepare
      const handler = appSyncResolver({ 'Query.rule': () => Promise.reject(error) });
      // Act
      const result = await handler(event('rule'));
      // Assess
      expect(result).toEqual({ __error: { errorType, message: error.message } });
    },
  );

  it('given an error that only borrows a client error name, then the client sees a generic failure', async () => {
    const impostor = Object.assign(new Error('secret detail'), { name: 'ValidationError' });
    const handler = appSyncResolver({ 'Query.rule': () => Promise.reject(impostor) });
    const failure = await handler(event('rule')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InternalFailure);
    expect((failure as Error).message).not.toContain('secret detail');
  });

  it('given a field the function does not serve, then it fails without resolving', async () => {
    const handler = appSyncResolver({ 'Query.rule': () => Promise.resolve(null) });
    await expect(handler(event('rules'))).rejects.toBeInstanceOf(InternalFailure);
  });
});
