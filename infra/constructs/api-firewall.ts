import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import { Construct } from 'constructs';

export interface ApiFirewallProps {
  api: IGraphqlApi;
  /** Requests one IP address may send in any 5 minutes before it is blocked. */
  requestsPerFiveMinutes: number;
}

/**
 * An AWS WAF web ACL in front of the API, with one rule: an IP address that sends more than
 * the limit in 5 minutes is blocked until its rate falls below it. AppSync checks no device
 * token before the authorizer runs, and every well-shaped random token costs an invocation
 * and a DynamoDB read; the limit keeps one address from turning that into a bill or from
 * using up the account's Lambda concurrency.
 *
 * No AWS managed rule groups: the common rule set blocks request bodies over 8 KB
 * (SizeRestrictions_BODY), which an `ingestEvents` batch of 100 readings exceeds, and its
 * body rules for cross-site scripting and file inclusion match GraphQL text that is harmless.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      description: 'Limits the requests one IP address may send the telemetry alerts API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('TelemetryAlertsApi'),
      rules: [
        {
          name: 'RequestsPerIpAddress',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: props.requestsPerFiveMinutes,
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility('TelemetryAlertsApiRequestsPerIp'),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'ApiAssociation', {
      resourceArn: props.api.arn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
