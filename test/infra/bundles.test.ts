import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { startModule, templateEnvironment } from './synth.ts';

describe('the deployed function bundles', () => {
  it('given a synth with bundling, then every function bundle is under 300 KB and starts on Node 24 with its template environment', () => {
    // Inside the repository, so the bundles resolve the AWS SDK as the Lambda runtime provides it.
    mkdirSync('cdk.out', { recursive: true });
    const outdir = mkdtempSync(join(process.cwd(), 'cdk.out', 'test-'));
    // The console's deployment function is aws-cdk-lib's, not one of ours.
    const app = new App({ outdir, context: { console: false } });
    const { stack } = buildApp(app);
    try {
      app.synth();
      checkBundles(outdir, Template.fromStack(stack));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});

function checkBundles(outdir: string, template: Template): void {
  const functions = Object.values(
    template.findResources('AWS::Lambda::Function') as Record<
      string,
      {
        Metadata: Record<string, string>;
        Properties: {
          Code: { S3Key: string };
          Environment: { Variables: Record<string, unknown> };
        };
      }
    >,
  );
  expect(functions).toHaveLength(11);
  for (const fn of functions) {
    const assetHash = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
    const bundle = join(outdir, `asset.${assetHash}`, 'index.mjs');
    expect(statSync(bundle).size).toBeLessThan(300 * 1024);
    const result = startModule(bundle, templateEnvironment(fn.Properties.Environment.Variables));
    expect(result.status, `${fn.Metadata['telemetry-alerts:entry']}: ${result.stderr}`).toBe(0);
  }
}
