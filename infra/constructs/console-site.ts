import {
  Aws,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type { GraphqlApi } from 'aws-cdk-lib/aws-appsync';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, SingletonFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  type CfnBucket,
  BucketEncryption,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { join } from 'node:path';
import { Construct } from 'constructs';

/** As long as the functions' log groups keep their logs. */
const logRetentionDays = 30;

export interface ConsoleSiteProps {
  /** The built console (`npm run build:console` writes console/dist). */
  distDir: string;
  api: GraphqlApi;
  /** The API's real-time (WebSocket) endpoint, which subscriptions connect to. */
  realtimeUrl: string;
  /** Where people sign in (SRP), and the console's app client. */
  userPool: IUserPool;
  userPoolClient: IUserPoolClient;
}

/**
 * The operator console: the static site in a private bucket, served by CloudFront through
 * Origin Access Control, HTTPS only, with a Content-Security-Policy that lets the page talk
 * to this stack's API and the region's Cognito endpoint and nothing else. `config.json` is
 * written at deploy time with the API endpoint, the region and the user pool and client
 * ids (none of them a secret); people sign in on the page.
 */
export class ConsoleSite extends Construct {
  /** `https://` and the distribution's domain. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    // Access logs are records, kept like the tables; the site itself is rebuilt from source.
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with an object ACL.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const site = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Telemetry alerts console: CSP limited to this stack API, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(
            props.api.graphqlUrl,
            props.realtimeUrl,
            `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}`,
          ),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    const distribution = new Distribution(this, 'Distribution', {
      comment: 'Telemetry alerts operator console',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(site),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        'The console is served on its cloudfront.net domain with the CloudFront default certificate, whose security policy CloudFront sets (it still accepts TLSv1); choosing TLS 1.2 as the minimum needs a custom domain and certificate.',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves static files only, cached at the edge; every call that reads or changes data goes to AppSync, which has its own WAF web ACL (a rate limit per IP address, ApiFirewall) and needs a user-pool token, and sign-in goes to Cognito, whose Plus plan threat protection guards it. A CloudFront web ACL would have to live in us-east-1, in a stack of its own, at the same monthly price, to guard files anyone may read.',
    });
    Validations.of(distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Operators may work from any country; the static files hold no data.',
    });
    this.url = `https://${distribution.distributionDomainName}`;

    // The deployment function gets its own role and log group, as the stack's functions do.
    const deploymentLogs = new LogGroup(this, 'DeploymentLogs', {
      retention: RetentionDays.ONE_MONTH,
    });
    const deploymentRole = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the console into its bucket and invalidates the distribution',
      inlinePolicies: {
        Logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [deploymentLogs.logGroupArn],
            }),
          ],
        }),
      },
    });
    // Vite names every file under assets/ by its content, so a name never changes meaning:
    // browsers keep them for a year without asking. They are never pruned, so a page loaded
    // before a deployment still finds its own files after it.
    const assets = new BucketDeployment(this, 'Assets', {
      sources: [Source.asset(join(props.distDir, 'assets'))],
      destinationBucket: site,
      destinationKeyPrefix: 'assets/',
      prune: false,
      cacheControl: [
        CacheControl.setPublic(),
        CacheControl.maxAge(Duration.days(365)),
        CacheControl.immutable(),
      ],
      logGroup: deploymentLogs,
      role: deploymentRole,
    });
    // The page and its config.json name the current assets: browsers ask for them each time;
    // edges keep them until this deployment, which runs after the assets are in, invalidates them.
    const deployment = new BucketDeployment(this, 'Deployment', {
      sources: [
        // A config.json from a local build (the local endpoints) is never deployed.
        Source.asset(props.distDir, { exclude: ['config.json', 'assets'] }),
        Source.jsonData('config.json', {
          graphqlUrl: props.api.graphqlUrl,
          region: Stack.of(this).region,
          userPoolId: props.userPool.userPoolId,
          userPoolClientId: props.userPoolClient.userPoolClientId,
        }),
      ],
      destinationBucket: site,
      // The assets deployment's files are neither replaced nor pruned by this one.
      exclude: ['assets/*'],
      cacheControl: [
        CacheControl.maxAge(Duration.seconds(0)),
        CacheControl.sMaxAge(Duration.days(365)),
      ],
      distribution,
      distributionPaths: ['/*'],
      logGroup: deploymentLogs,
      role: deploymentRole,
    });
    deployment.node.addDependency(assets);
    acknowledgeDeployment(assets, deploymentRole, site);
    acknowledgeDeployment(deployment, deploymentRole, site);
  }
}

/**
 * Records why the deployment function, which aws-cdk-lib's BucketDeployment builds and
 * grants, is as it is: it runs only while CloudFormation deploys the stack.
 */
function acknowledgeDeployment(deployment: BucketDeployment, role: Role, bucket: Bucket): void {
  const stack = Stack.of(deployment);
  const site = stack.getLogicalId(bucket.node.defaultChild as CfnBucket);
  const qualifier =
    stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const acknowledgements: [string, string][] = [
    [
      'Action::s3:GetObject*',
      "BucketDeployment's read grant: it reads the console's files from the CDK assets bucket and lists the console bucket to sync it.",
    ],
    ['Action::s3:GetBucket*', "BucketDeployment's read grant, as for s3:GetObject*."],
    ['Action::s3:List*', "BucketDeployment's read grant, as for s3:GetObject*."],
    [
      `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`,
      'The console files are staged in the CDK assets bucket under content hashes; the function reads them from there.',
    ],
    [
      'Action::s3:DeleteObject*',
      'A deployment replaces the console: files no longer in the build are deleted.',
    ],
    ['Action::s3:Abort*', 'Aborts its own failed multipart uploads of console files.'],
    [
      `Resource::<${site}.Arn>/*`,
      'Every object of the console bucket, which holds the console and nothing else.',
    ],
    [
      'Resource::*',
      "BucketDeployment grants cloudfront:CreateInvalidation and GetInvalidation on '*'; the function invalidates only the console distribution, whose id the custom resource passes it.",
    ],
  ];
  for (const [finding, reason] of acknowledgements) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
  // The function itself is a singleton at stack level; its runtime is aws-cdk-lib's choice.
  const handler = deployment.node.findChild('CustomResourceHandler') as SingletonFunction;
  Validations.of(handler.permissionsNode.defaultChild as CfnFunction).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      "aws-cdk-lib's BucketDeployment fixes this function's Python runtime and moves it with CDK upgrades; it runs only during deployments.",
  });
}

/**
 * Scripts, styles and images from the site only; connections to the site, this stack's
 * GraphQL (HTTPS) and real-time (WebSocket) endpoints and the Cognito sign-in endpoint only.
 */
function contentSecurityPolicy(graphqlUrl: string, realtimeUrl: string, cognito: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "manifest-src 'self'",
    `connect-src 'self' ${graphqlUrl} ${realtimeUrl} ${cognito}`,
    "base-uri 'none'",
    // A form the page does not handle would put what was typed (a password) into a URL.
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
