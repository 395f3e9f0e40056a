import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.ts';

/**
 * Synthesizes the CDK app as `npm run synth` does, cdk-nag included, but without bundling
 * the functions (the template is the same). Throws when cdk-nag reports a finding.
 */
export function synthesize(context: Record<string, unknown> = {}): Template {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    outdir: mkdtempSync(join(tmpdir(), 'cdk-test-')),
  });
  const { stack } = buildApp(app);
  app.synth();
  return Template.fromStack(stack);
}

type Resource = { Type: string; Properties: Record<string, unknown> };

/** The template's resources of one type, keyed by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}
