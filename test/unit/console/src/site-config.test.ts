import { describe, expect, it } from 'vitest';
import { parseSiteConfig, userPoolOrigin } from '../../../../console/src/site-config.ts';

const deployed = {
  graphqlUrl: 'https://abc.appsync-api.eu-west-1.amazonaws.com/graphql',
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbCdEf123',
  userPoolClientId: '4n0th3rcl13nt1d',
};

const local = {
  graphqlUrl: 'http://localhost:4000/graphql',
  region: 'us-east-1',
  userPoolId: 'local_5xYz',
  userPoolClientId: 'localclient',
  cognitoEndpoint: 'http://localhost:4005',
  authFlowType: 'USER_PASSWORD_AUTH',
};

describe('parseSiteConfig', () => {
  it('given the config a deployment writes, then it is taken as it is, with Amplify left to its defaults', () => {
    expect(parseSiteConfig(deployed)).toEqual({ config: deployed });
  });

  it('given the local stack config, then its user pool endpoint and flow are kept', () => {
    expect(parseSiteConfig(local)).toEqual({ config: local });
  });

  it('given an earlier config with an API key, then the key is not carried into the config', () => {
    // Act
    const result = parseSiteConfig({ ...deployed, apiKey: 'da2-old' });

    // Assess
    expect(result).toEqual({ config: deployed });
  });

  it.each([
    ['not an object', ['a'], /not a JSON object/],
    ['nothing at all', null, /not a JSON object/],
    [
      'an earlier config without the user pool',
      { graphqlUrl: deployed.graphqlUrl, region: 'eu-west-1' },
      /lacks userPoolId, userPoolClientId/,
    ],
    ['a blank client id', { ...deployed, userPoolClientId: ' ' }, /lacks userPoolClientId/],
    [
      'an endpoint that is not a URL',
      { ...deployed, graphqlUrl: 'appsync' },
      /graphqlUrl must be an http\(s\) URL; got appsync/,
    ],
    [
      'an endpoint of another scheme',
      { ...deployed, graphqlUrl: 'ftp://example.com/graphql' },
      /graphqlUrl must be an http\(s\) URL/,
    ],
    [
      'a user pool endpoint that is not a URL',
      { ...local, cognitoEndpoint: 4005 },
      /cognitoEndpoint must be an http\(s\) URL; got 4005/,
    ],
    [
      'an unknown sign-in flow',
      { ...local, authFlowType: 'CUSTOM_WITHOUT_SRP' },
      /authFlowType must be one of USER_SRP_AUTH, USER_PASSWORD_AUTH/,
    ],
  ])('given %s, then it says what is wrong', (_case, body, message) => {
    // Act
    const result = parseSiteConfig(body);

    // Assess
    expect('problem' in result && result.problem).toMatch(message);
  });
});

describe('userPoolOrigin', () => {
  it("given a Cognito user pool, then it is the pool's regional endpoint, the region taken from the pool id", () => {
    expect(userPoolOrigin({ userPoolId: 'ap-southeast-2_Xy12', cognitoEndpoint: undefined })).toBe(
      'https://cognito-idp.ap-southeast-2.amazonaws.com',
    );
  });

  it('given the local user pool, then it is the origin of its endpoint', () => {
    expect(
      userPoolOrigin({ userPoolId: 'local_5xYz', cognitoEndpoint: 'http://localhost:4005/' }),
    ).toBe('http://localhost:4005');
  });
});
