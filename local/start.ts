/**
 * `npm start`: runs the whole system on this machine and prints how to reach it. Its
 * settings (ports, e-mail subscribers, state directory, …) are declared in infra/settings.ts
 * and listed in docs/configuration.md; `--ephemeral` keeps nothing (state in memory), and
 * `--status` prints a status line every few seconds.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigurationError, setting } from '../adapters/config.ts';
import { stackName } from '../infra/resources.ts';
import type { SettingName, SettingValue } from '../infra/settings.ts';
import { readSystemStatus } from '../domain/system-status.ts';
import { KeptStateError } from './provision.ts';
import { startLocalStack } from './stack.ts';
import { printStatusLines } from './status-line.ts';

const ephemeral = process.argv.includes('--ephemeral') || readOrExit('LOCAL_EPHEMERAL');
const localDir = resolve(readOrExit('LOCAL_STATE_DIR'));

const stack = await startLocalStack({
  stateDir: ephemeral ? null : localDir,
  ports: {
    graphql: readOrExit('PORT'),
    https: readOrExit('HTTPS_PORT'),
    dynamodb: readOrExit('DYNAMODB_PORT'),
    sqs: readOrExit('SQS_PORT'),
    smtp: readOrExit('SMTP_PORT'),
    inbox: readOrExit('INBOX_PORT'),
    cognito: readOrExit('COGNITO_PORT'),
    cloudwatch: readOrExit('CLOUDWATCH_PORT'),
    console: readOrExit('CONSOLE_PORT'),
  },
  alertEmails: readOrExit('ALERT_EMAILS'),
  episodeCheckIntervalMs: readOrExit('EPISODE_CHECK_MS'),
  worker: { thread: true },
  queue: { visibilityTimeoutSeconds: readOrExit('VISIBILITY_TIMEOUT_SECONDS') },
  logLevel: readOrExit('LOG_LEVEL'),
  deviceAuthCacheSeconds: readOrExit('DEVICE_AUTH_CACHE_SECONDS'),
  rulesRefreshMs: readOrExit('RULES_REFRESH_MS'),
  deliveryLeaseSeconds: readOrExit('DELIVERY_LEASE_SECONDS'),
  notificationGroups: {
    waitSeconds: readOrExit('GROUP_WAIT_SECONDS'),
    intervalSeconds: readOrExit('GROUP_INTERVAL_SECONDS'),
  },
}).catch((error: unknown) => {
  // State kept from an earlier start that this one cannot take: one line saying what to do.
  if (!(error instanceof KeptStateError)) throw error;
  console.error(error.message);
  process.exit(2);
});
const { outputs } = stack;
mkdirSync(localDir, { recursive: true });
const outputsFile = join(localDir, 'outputs.json');
// Written whole and then renamed: a reader never sees half a file.
writeFileSync(`${outputsFile}.tmp`, `${JSON.stringify({ [stackName]: outputs }, null, 2)}\n`, {
  mode: 0o600,
});
renameSync(`${outputsFile}.tmp`, outputsFile);

console.log(`
Telemetry alerts: local stack ready${ephemeral ? ' (ephemeral: nothing is kept)' : ` (state in ${localDir})`}

  Console        ${outputs.ConsoleUrl}
  GraphQL        ${outputs.GraphQLUrl}
  GraphQL HTTPS  ${outputs.HttpsGraphQLUrl}
  Real-time      ${outputs.RealtimeUrl}
  Real-time TLS  ${outputs.HttpsRealtimeUrl}
  Sign in        ${outputs.LocalAdminUsername} / ${outputs.LocalAdminPassword}   (an admin; user pool ${outputs.CognitoEndpoint})
  Certificate    ${outputs.CertificatePath}   (NODE_EXTRA_CA_CERTS for Node clients)
  E-mail inbox   ${outputs.EmailInboxUrl}
  Outputs file   ${outputsFile}

A demo device (its credential covers device ids starting with demo-) sends a reading:

  curl -s ${outputs.GraphQLUrl} -H 'content-type: application/json' \\
    -H 'authorization: ${outputs.DemoDeviceToken}' \\
    -d '{"query":"mutation { ingestEvent(input: { deviceId: \\"demo-1\\", metric: \\"temperature\\", value: 21.5 }) { id } }"}'

Ctrl-C stops everything; ${ephemeral ? 'nothing is kept.' : 'the next npm start resumes with the stored state.'}
`);

const statusLines = process.argv.includes('--status') ? await printStatus() : null;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    Promise.resolve(statusLines?.stop())
      .then(() => stack.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  });
}

/**
 * `--status`: a line every 5 s with the queues, readings per second and the evaluation lag,
 * read as `systemStatus` reads them (the handlers' configuration is set once the stack runs).
 */
async function printStatus(): Promise<{ stop(): Promise<void> }> {
  const { systemStatus, statusPeriodSeconds } = await import('../adapters/wiring/system-status.ts');
  console.log('Status every 5 s (the latest period that has ended):');
  return printStatusLines(
    () =>
      readSystemStatus(systemStatus, {
        minutes: 1,
        periodSeconds: statusPeriodSeconds,
        now: Date.now(),
      }),
    (line) => console.log(line),
    5000,
  );
}

/** A setting of `npm start`; a bad one ends the start with its message, before anything runs. */
function readOrExit<N extends SettingName>(name: N): SettingValue<N> {
  try {
    return setting(name);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}
