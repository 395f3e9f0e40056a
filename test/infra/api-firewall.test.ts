import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../../infra/settings.ts';
import { resourcesOf, synthesize } from './synth.ts';

/*
 * What stands between a flood of forged device tokens and the authorizer: the API's WAF web
 * ACL (a rate limit per IP address) and, when set, the authorizer's reserved concurrency.
 */

let template: Template;

beforeAll(() => {
  template = synthesize();
}, 120_000);

/** The one resource of a type, with its logical id. */
function only(from: Template, type: string) {
  const entries = Object.entries(resourcesOf(from, type));
  expect(entries, type).toHaveLength(1);
  const [logicalId, resource] = entries[0]!;
  return { logicalId, properties: resource.Properties };
}

const authorizerOf = (from: Template) =>
  Object.values(
    from.findResources('AWS::Lambda::Function') as Record<
      string,
      { Metadata?: Record<string, string>; Properties: Record<string, unknown> }
    >,
  ).find((fn) => fn.Metadata?.['telemetry-alerts:entry'] === 'resolvers/device-authorizer.ts')!;

describe('the API firewall', () => {
  it('given the stack, then a regional web ACL allows by default and blocks an IP address over the default limit in 5 minutes', () => {
    const acl = only(template, 'AWS::WAFv2::WebACL').properties;
    expect(acl).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    expect(acl.Rules).toEqual([
      expect.objectContaining({
        Name: 'RequestsPerIpAddress',
        Action: { Block: {} },
        Statement: {
          RateBasedStatement: {
            AggregateKeyType: 'IP',
            Limit: settings.apiRequestsPerFiveMinutes.default,
            EvaluationWindowSec: 300,
          },
        },
      }),
    ]);
    // A gateway sending one batch a second sends 300 requests in 5 minutes: far below.
    expect(settings.apiRequestsPerFiveMinutes.default).toBeGreaterThanOrEqual(10 * 300);
  });

  it('given the stack, then the web ACL is associated with the GraphQL API', () => {
    const acl = only(template, 'AWS::WAFv2::WebACL').logicalId;
    const api = only(template, 'AWS::AppSync::GraphQLApi').logicalId;
    expect(only(template, 'AWS::WAFv2::WebACLAssociation').properties).toEqual({
      ResourceArn: { 'Fn::GetAtt': [api, 'Arn'] },
      WebACLArn: { 'Fn::GetAtt': [acl, 'Arn'] },
    });
  });

  it('given apiRequestsPerFiveMinutes, then the rule blocks at that limit', () => {
    const custom = synthesize({ apiRequestsPerFiveMinutes: '1200' });
    const [rule] = only(custom, 'AWS::WAFv2::WebACL').properties.Rules as {
      Statement: { RateBasedStatement: { Limit: number } };
    }[];
    expect(rule?.Statement.RateBasedStatement.Limit).toBe(1200);
  });

  it('given a limit AWS WAF cannot take, then synth refuses it by name', () => {
    expect(() => synthesize({ apiRequestsPerFiveMinutes: '5' })).toThrow(
      'Context apiRequestsPerFiveMinutes must be a whole number from 10',
    );
  });
});

describe("the authorizer's reserved concurrency", () => {
  it('given no setting, then none is reserved', () => {
    expect(authorizerOf(template).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('given authorizerReservedConcurrency, then the authorizer has that many reserved, and no other function does', () => {
    const custom = synthesize({ authorizerReservedConcurrency: '50' });
    expect(authorizerOf(custom).Properties.ReservedConcurrentExecutions).toBe(50);
    const reserved = Object.values(resourcesOf(custom, 'AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.ReservedConcurrentExecutions !== undefined,
    );
    expect(reserved).toHaveLength(1);
  });
});
