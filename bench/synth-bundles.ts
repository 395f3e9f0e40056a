/**
 * Child process of the bundle measurement: synthesizes the CDK app with bundling (as
 * `npm run synth` does, cdk-nag included) into the directory given as the only argument,
 * and writes `bench-functions.json` there listing each Lambda function's bundle and template
 * environment. A separate process keeps aws-cdk-lib out of the benchmark's own memory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/app.ts';

/** One deployed function, as the bundle measurement needs it. */
export interface SynthesizedFunction {
  logicalId: string;
  /** Handler file (metadata `telemetry-alerts:entry`), or the logical id without it. */
  entry: string;
  /** `asset.<hash>/index.mjs` in the output directory. */
  bundle: string;
  /** The template's environment variables; CloudFormation references stay objects. */
  environment: Record<string, unknown>;
}

interface FunctionResource {
  Type: string;
  Metadata?: Record<string, unknown>;
  Properties: {
    Code?: { S3Key?: string };
    Environment?: { Variables?: Record<string, unknown> };
  };
}

const outdir = process.argv[2];
if (!outdir) throw new Error('Usage: node bench/synth-bundles.ts <outdir>');
// The console's bucket functions are aws-cdk-lib's, not the product's: measured without them.
const app = new App({ outdir, context: { console: false } });
const { stack } = buildApp(app);
const assembly = app.synth();
const template = assembly.getStackByName(stack.stackName).template as {
  Resources: Record<string, FunctionResource>;
};
const functions: SynthesizedFunction[] = Object.entries(template.Resources)
  .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
  .map(([logicalId, resource]) => {
    const key = resource.Properties.Code?.S3Key;
    if (!key) throw new Error(`${logicalId} has no S3Key: was it bundled?`);
    const entry = resource.Metadata?.['telemetry-alerts:entry'];
    return {
      logicalId,
      entry: typeof entry === 'string' ? entry : logicalId,
      bundle: join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'),
      environment: resource.Properties.Environment?.Variables ?? {},
    };
  });
writeFileSync(join(outdir, 'bench-functions.json'), JSON.stringify(functions, null, 2));
