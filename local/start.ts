/**
 * `npm start`: runs the whole system on this machine and prints how to reach it.
 *
 *   PORT=4000            GraphQL over HTTP; the other ports follow it (see the README)
 *   CONSOLE_PORT=4002    the operator console (built by `npm run build:console`, which
 *                        `npm start` runs first)
 *   ALERT_EMAILS=a@b.c   e-mail subscribers of the alerts topic (comma-separated)
 *   VISIBILITY_TIMEOUT_SECONDS=180   how long a reading a worker took stays hidden before
 *                        it is redelivered (AWS: 6 × the worker timeout)
 *   EPISODE_CHECK_MS=10000           how often the no-data and repeat check runs
 *   --ephemeral          keep nothing: state in memory, gone on exit (or LOCAL_EPHEMERAL=1)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { STACK_NAME, startLocalStack } from './stack.ts';

const port = portSetting('PORT', 4000);
const ephemeral = process.argv.includes('--ephemeral') || process.env.LOCAL_EPHEMERAL === '1';
const localDir = resolve(process.env.LOCAL_STATE_DIR ?? '.local');

const stack = await startLocalStack({
  stateDir: ephemeral ? null : localDir,
  ports: {
    graphql: port,
    https: portSetting('HTTPS_PORT', port + 1),
    dynamodb: portSetting('DYNAMODB_PORT', port + 10),
    sqs: portSetting('SQS_PORT', port + 11),
    smtp: portSetting('SMTP_PORT', port + 25),
    inbox: portSetting('INBOX_PORT', port + 80),
    console: portSetting('CONSOLE_PORT', port + 2),
  },
  alertEmails: (process.env.ALERT_EMAILS ?? 'oncall@example.com')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean),
  episodeCheckIntervalMs: integerSetting('EPISODE_CHECK_MS', 10_000, 100, 3_600_000),
  worker: { thread: true },
  queue: process.env.VISIBILITY_TIMEOUT_SECONDS
    ? { visibilityTimeoutSeconds: integerSetting('VISIBILITY_TIMEOUT_SECONDS', 180, 0, 43200) }
    : {},
  logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'WARN',
});

const { outputs } = stack;
mkdirSync(localDir, { recursive: true });
const outputsFile = join(localDir, 'outputs.json');
writeFileSync(outputsFile, `${JSON.stringify({ [STACK_NAME]: outputs }, null, 2)}\n`);

console.log(`
Telemetry alerts: local stack ready${ephemeral ? ' (ephemeral: nothing is kept)' : ` (state in ${localDir})`}

  Console        ${outputs.ConsoleUrl}
  GraphQL        ${outputs.GraphQLUrl}
  GraphQL HTTPS  ${outputs.HttpsGraphQLUrl}
  Real-time      ${outputs.RealtimeUrl}
  Real-time TLS  ${outputs.HttpsRealtimeUrl}
  API key        ${outputs.ApiKey}   (send as the x-api-key header)
  Certificate    ${outputs.CertificatePath}   (NODE_EXTRA_CA_CERTS for Node clients)
  E-mail inbox   ${outputs.EmailInboxUrl}
  Outputs file   ${outputsFile}

Ctrl-C stops everything; ${ephemeral ? 'nothing is kept.' : 'the next npm start resumes with the stored state.'}
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

function portSetting(name: string, fallback: number): number {
  return integerSetting(name, fallback, 1, 65535);
}

function integerSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be a whole number from ${min} to ${max}; got '${raw}'`);
    process.exit(2);
  }
  return value;
}
