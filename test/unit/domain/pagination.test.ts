import { describe, expect, it } from 'vitest';
import { nextToken, pageRequest } from '../../../domain/pagination.ts';

describe('page tokens', () => {
  const scope = { events: { deviceId: 'D1', metric: null } };

  it('given a token from a page, then the same query resumes after that position', () => {
    const first = pageRequest({ limit: 2 }, scope);
    const token = nextToken({ deviceId: 'D1', id: 'r9', timeKey: 't#r9' }, first);
    expect(pageRequest({ limit: 2, nextToken: token }, scope).after).toEqual({
      deviceId: 'D1',
      id: 'r9',
      timeKey: 't#r9',
    });
  });

  it.each([
    [
      'a token for another query',
      (token: string) => token,
      { events: { deviceId: 'D2', metric: null } },
    ],
    ['a tampered token', (token: string) => `${token.slice(0, -3)}abc`, scope],
    ['garbage', () => '%%%not-base64', scope],
    ['empty JSON', () => Buffer.from('{}').toString('base64url'), scope],
  ])('given %s, then it is refused', (_, alter, query) => {
    const token = nextToken({ deviceId: 'D1', id: 'r9' }, pageRequest({}, scope)) as string;
    expect(() => pageRequest({ nextToken: alter(token) }, query)).toThrow(/nextToken is invalid/);
  });

  it.each([0, -1, 1001, 2.5])('given limit %d, then it is refused', (limit) => {
    expect(() => pageRequest({ limit }, scope)).toThrow(/limit must be between 1 and 1000/);
  });
});
