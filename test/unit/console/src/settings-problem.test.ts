import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../../console/src/settings.ts';
import { settingsProblem } from '../../../../console/src/settings.ts';

const good: Settings = {
  graphqlUrl: 'https://abc.appsync-api.eu-west-1.amazonaws.com/graphql',
  region: 'eu-west-1',
  apiKey: 'da2-key',
  operator: '',
};

describe('settingsProblem', () => {
  it.each([
    ['no endpoint', { graphqlUrl: '' }, /Enter the GraphQL endpoint/],
    ['an endpoint that is not a URL', { graphqlUrl: 'appsync endpoint' }, /is not a URL/],
    [
      'an endpoint of another scheme',
      { graphqlUrl: 'ftp://example.com/graphql' },
      /must start with https:\/\//,
    ],
    ['no API key', { apiKey: '' }, /Enter the API key/],
  ])('given %s, then it says what to enter', (_case, change, message) => {
    expect(settingsProblem({ ...good, ...change })).toMatch(message);
  });

  it('given an https endpoint and a key, or the local http endpoint, then there is nothing to fix', () => {
    expect(settingsProblem(good)).toBeNull();
    expect(settingsProblem({ ...good, graphqlUrl: 'http://localhost:4000/graphql' })).toBeNull();
  });
});
