/**
 * The CDK app: `npm run synth`, `npm run deploy`, `npm run destroy`. Settings come from
 * context (`-c alertEmail=ops@example.com`); cdk-nag's AwsSolutions checks run on every synth.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defaultRetentionDays, evaluationQueue } from './resources.ts';
import { type TelemetryAlertsSettings, TelemetryAlertsStack } from './telemetry-alerts-stack.ts';

export const STACK_NAME = 'TelemetryAlerts';

/** Where `npm run build:console` writes the operator console. */
const defaultConsoleDist = fileURLToPath(new URL('../console/dist/', import.meta.url));

/** Reads the deploy-time settings from CDK context, refusing bad values by name. */
export function settingsFrom(app: App): TelemetryAlertsSettings {
  const text = (name: string) => {
    const value = app.node.tryGetContext(name);
    return value === undefined || value === null ? undefined : String(value);
  };
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`Context ${name} must be a whole number from ${min} to ${max}; got '${raw}'`);
    }
    return value;
  };
  const alertEmails = (text('alertEmail') ?? '')
    .split(',')
    .map((email) => email.trim())
    .filter(Boolean);
  for (const email of alertEmails) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw new Error(`Context alertEmail has an invalid address: '${email}'`);
    }
  }
  const consoleOn = text('console') ?? 'true';
  if (consoleOn !== 'true' && consoleOn !== 'false') {
    throw new Error(`Context console must be true or false; got '${consoleOn}'`);
  }
  const consoleDist =
    consoleOn === 'true' ? resolve(text('consoleDist') ?? defaultConsoleDist) : undefined;
  if (consoleDist !== undefined && !existsSync(join(consoleDist, 'index.html'))) {
    throw new Error(
      `The console is not built: no index.html in ${consoleDist}. Build the console first: npm run build:console (or deploy without the console: -c console=false).`,
    );
  }
  return {
    alertEmails,
    consoleDist,
    apiKeyExpiryDays: integer('apiKeyExpiryDays', 365, 1, 365),
    retentionDays: integer('retentionDays', defaultRetentionDays, 1, 3650),
    workerBatchSize: integer('workerBatchSize', evaluationQueue.batchSize, 1, 10_000),
    workerMaxBatchingWindowSeconds: integer(
      'workerMaxBatchingWindowSeconds',
      evaluationQueue.maxBatchingWindowSeconds,
      0,
      300,
    ),
  };
}

/** Builds the app with its stack and the cdk-nag checks. */
export function buildApp(app = new App()): { app: App; stack: TelemetryAlertsStack } {
  const stack = new TelemetryAlertsStack(app, STACK_NAME, settingsFrom(app));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
