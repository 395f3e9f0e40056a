import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type SettingName, settings } from '../settings.ts';

const repoRoot = new URL('../../', import.meta.url);

export interface AlertsFunctionProps {
  /** Handler file, relative to the repository root, e.g. `resolvers/ingest.ts`. */
  entry: string;
  description: string;
  /** The settings the function reads, by their names in infra/settings.ts. */
  environment: Partial<Record<SettingName, string>>;
  timeout?: Duration;
  memorySize?: number;
  /** Concurrency reserved for (and capping) the function; undefined reserves none. */
  reservedConcurrentExecutions?: number | undefined;
}

/**
 * Every function's defaults in one place: Node.js 24 on arm64, bundled by esbuild (minified,
 * source maps, ESM), X-Ray active tracing, Powertools settings (log level, Powertools
 * tracing off) and a log group with retention.
 */
export class AlertsFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AlertsFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
    // Its own role, allowed to write to its own log group only (instead of the AWS managed
    // AWSLambdaBasicExecutionRole, which allows every log group).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${id} function`,
      inlinePolicies: {
        Logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
    super(scope, id, {
      entry: new URL(props.entry, repoRoot).pathname,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      projectRoot: new URL('.', repoRoot).pathname,
      depsLockFilePath: new URL('package-lock.json', repoRoot).pathname,
      logGroup,
      role,
      environment: {
        POWERTOOLS_SERVICE_NAME: settings.POWERTOOLS_SERVICE_NAME.default,
        POWERTOOLS_LOG_LEVEL: settings.POWERTOOLS_LOG_LEVEL.default,
        // Off: Lambda's active tracing only. A function's knob for investigations (docs/metrics.md).
        POWERTOOLS_TRACE_ENABLED: String(settings.POWERTOOLS_TRACE_ENABLED.default),
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        // Some dependencies are CommonJS and call require(); give the ES module one.
        banner:
          "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    });
    // Lets tests tie a function in the template to its handler file.
    (this.node.defaultChild as CfnFunction).addMetadata('telemetry-alerts:entry', props.entry);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
