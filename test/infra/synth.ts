import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.ts';

/**
 * Synthesizes the CDK app as `npm run synth` does, cdk-nag included, but without bundling
 * the functions (the template is the same) and, unless the context asks for it, without the
 * console, so these tests need no console build. Throws when cdk-nag reports a finding.
 */
export function synthesize(context: Record<string, unknown> = {}): Template {
  return synthesizeApp(context).template;
}

/** As `synthesize`, with the cloud assembly's directory, where the assets are staged. */
export function synthesizeApp(context: Record<string, unknown> = {}): {
  template: Template;
  outdir: string;
} {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], console: false, ...context },
    outdir: mkdtempSync(join(tmpdir(), 'cdk-test-')),
  });
  const { stack } = buildApp(app);
  const assembly = app.synth();
  return { template: Template.fromStack(stack), outdir: assembly.directory };
}

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };

/** The template's resources of one type, keyed by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** A function's template environment, with CloudFormation references replaced by stand-ins. */
export function templateEnvironment(
  variables: Record<string, unknown> = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : `https://resolved.example/${k}`,
    ]),
  );
}

/** Imports a module in a fresh Node process with only `env`, as Lambda does at cold start. */
export function startModule(path: string, env: Record<string, string>) {
  return spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(path)}); if (typeof m.handler !== 'function') process.exit(3);`,
    ],
    { env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ...env }, encoding: 'utf8' },
  );
}
