/**
 * The CDK app: `npm run synth`, `npm run deploy`, `npm run destroy`. Settings come from
 * context (`-c alertEmail=ops@example.com`); cdk-nag's AwsSolutions checks run on every synth.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackName } from './resources.ts';
import { parseSetting, type SettingName } from './settings.ts';
import { type TelemetryAlertsSettings, TelemetryAlertsStack } from './telemetry-alerts-stack.ts';

/** Where `npm run build:console` writes the operator console. */
const defaultConsoleDist = fileURLToPath(new URL('../console/dist/', import.meta.url));

/**
 * Reads the deploy-time settings from CDK context by their declarations in
 * infra/settings.ts, refusing bad values by name.
 */
export function settingsFrom(app: App): TelemetryAlertsSettings {
  const context = (name: SettingName) => {
    const value = app.node.tryGetContext(name);
    return value === undefined || value === null ? undefined : String(value);
  };
  const read = <N extends SettingName>(name: N) => parseSetting(name, context(name), context);
  const emails = (name: 'alertEmail' | 'operationsEmail') => {
    const addresses = read(name);
    for (const email of addresses) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        throw new Error(`Context ${name} has an invalid address: '${email}'`);
      }
    }
    return addresses;
  };
  const consoleDist = read('console')
    ? resolve(context('consoleDist') ?? defaultConsoleDist)
    : undefined;
  if (consoleDist !== undefined && !existsSync(join(consoleDist, 'index.html'))) {
    throw new Error(
      `The console is not built: no index.html in ${consoleDist}. Build the console first: npm run build:console (or deploy without the console: -c console=false).`,
    );
  }
  return {
    alertEmails: emails('alertEmail'),
    consoleDist,
    retentionDays: read('retentionDays'),
    workerBatchSize: read('workerBatchSize'),
    workerMaxBatchingWindowSeconds: read('workerMaxBatchingWindowSeconds'),
    apiRequestsPerFiveMinutes: read('apiRequestsPerFiveMinutes'),
    authorizerReservedConcurrency: read('authorizerReservedConcurrency'),
    operationsEmails: emails('operationsEmail'),
    alarmThresholds: {
      queueAgeSeconds: read('queueAgeAlarmSeconds'),
      workerErrors: read('workerErrorsAlarmThreshold'),
      notificationFailures: read('notificationFailuresAlarmThreshold'),
      apiServerErrorPercent: read('apiServerErrorAlarmPercent'),
    },
  };
}

/** Builds the app with its stack and the cdk-nag checks. */
export function buildApp(app = new App()): { app: App; stack: TelemetryAlertsStack } {
  const stack = new TelemetryAlertsStack(app, stackName, settingsFrom(app));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
