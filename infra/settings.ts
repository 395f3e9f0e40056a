/**
 * Every setting of the system, declared once: its name, who reads it, its default and what it
 * means. The functions and `npm start` read theirs from the environment through
 * adapters/config.ts, the CDK app reads its own from context (infra/app.ts); the stacks set
 * the functions' environment from these names, and docs/configuration.md is generated from
 * this list (`npm run docs:settings`, checked by a test). No AWS or CDK imports here.
 */
import { limits } from '../domain/limits.ts';
import { alertsTopic, deviceAuthorizer, evaluationQueue, tables } from './resources.ts';

/** Who reads a setting, and from where. */
export type SettingReader =
  /** The Lambda functions, from their environment (set by the CDK stack or the local stack). */
  | 'functions'
  /** `npm start`, from its environment. */
  | 'npm start'
  /** The CDK app, from context: `npm run deploy -- -c name=value`. */
  | 'cdk deploy';

interface Declared {
  readBy: SettingReader;
  meaning: string;
}

/** Text; without a default the setting is required. */
export interface TextSetting extends Declared {
  kind: 'text';
  default?: string;
}

/** A whole number within a range; without a default, unset unless given. */
export interface IntegerSetting extends Declared {
  kind: 'integer';
  default?: number;
  min: number;
  max: number;
}

/** Comma-separated text; blanks are dropped. */
export interface ListSetting extends Declared {
  kind: 'list';
  default: string;
}

/** `true` or `false` (`1` or `0` in the environment). */
export interface FlagSetting extends Declared {
  kind: 'flag';
  default: boolean;
}

/** One of a few words. */
export interface ChoiceSetting extends Declared {
  kind: 'choice';
  choices: readonly string[];
  default: string;
}

/** A TCP port; its default is an offset from another port setting. */
export interface PortSetting extends Declared {
  kind: 'port';
  default: number;
  /** When set, the default is this setting's value plus `default`. */
  offsetFrom?: string;
}

export type SettingDefinition =
  TextSetting | IntegerSetting | ListSetting | FlagSetting | ChoiceSetting | PortSetting;

const resource = (meaning: string): TextSetting => ({
  readBy: 'functions',
  kind: 'text',
  meaning: `${meaning}; set by the stack`,
});
const localPort = (meaning: string, offset: number): PortSetting => ({
  readBy: 'npm start',
  kind: 'port',
  default: offset,
  offsetFrom: 'PORT',
  meaning,
});

/** Default retention of readings and alerts, in days, before DynamoDB's TTL removes them. */
const retentionDays = 90;

export const settings = {
  // The functions (AWS and local).
  [tables.readingBlocks.envVar]: resource('the table of reading blocks'),
  [tables.rules.envVar]: resource('the rules table'),
  [tables.alerts.envVar]: resource('the alerts table'),
  [tables.episodes.envVar]: resource('the episodes table'),
  [tables.deviceCredentials.envVar]: resource('the device credentials table (hashes only)'),
  [tables.devices.envVar]: resource('the device inventory table'),
  [tables.silences.envVar]: resource('the silences and maintenance windows table'),
  [tables.notificationGroups.envVar]: resource(
    "the notification groups table: the e-mail channel's groups waiting to go out",
  ),
  [evaluationQueue.envVar]: resource('the evaluation queue: readings and work for the worker'),
  [alertsTopic.envVar]: resource('the alerts topic (e-mail and other subscribers)'),
  DEAD_LETTER_QUEUE_URL: resource('the dead-letter queue of the evaluation queue'),
  GRAPHQL_URL: resource('the API the worker calls publishAlert on'),
  AWS_REGION: { readBy: 'functions', kind: 'text', meaning: 'the region; set by Lambda' },
  RETENTION_DAYS: {
    readBy: 'functions',
    kind: 'integer',
    default: retentionDays,
    min: 1,
    max: 3650,
    meaning: 'days readings and alerts are kept; older readings are refused at ingest',
  },
  DEVICE_AUTH_CACHE_SECONDS: {
    readBy: 'functions',
    kind: 'integer',
    default: deviceAuthorizer.cacheTtlSeconds,
    min: 0,
    max: 3600,
    meaning:
      "how long AppSync reuses the device authorizer's answer for a token: a revoked credential stops working within this time",
  },
  BACKTEST_MAX_READINGS: {
    readBy: 'functions',
    kind: 'integer',
    default: limits.backtestMaxReadings,
    min: 1,
    max: limits.backtestMaxReadings,
    meaning:
      'readings one backtestRule call replays at most; a backtest that needs more is refused and told to narrow its range or devices',
  },
  RULES_REFRESH_MS: {
    readBy: 'functions',
    kind: 'integer',
    default: 2000,
    min: 1,
    max: 3_600_000,
    meaning:
      'how often a busy worker reads the changes of rules and device labels: a change reaches readings evaluated this long after it',
  },
  GROUP_WAIT_SECONDS: {
    readBy: 'functions',
    kind: 'integer',
    default: 30,
    min: 0,
    max: limits.maxGroupWaitSeconds,
    meaning:
      'how long the first notification into an empty group waits for others before the group is e-mailed, for rules that set no `groupWaitSeconds`',
  },
  GROUP_INTERVAL_SECONDS: {
    readBy: 'functions',
    kind: 'integer',
    default: 300,
    min: 0,
    max: limits.maxGroupIntervalSeconds,
    meaning:
      'the least time between two e-mails of one group while it receives more, for rules that set no `groupIntervalSeconds`',
  },
  DELIVERY_LEASE_SECONDS: {
    readBy: 'functions',
    kind: 'integer',
    default: 60,
    min: 10,
    max: 900,
    meaning:
      "how long a worker's claim on sending one notification, or one notification group's e-mail, lasts: if that worker dies mid-send, another sends it this long after the claim (and the scheduled check sends a group this long overdue). Keep it above the worker's timeout (30 s), or a slow send may go out twice",
  },
  STATUS_PERIOD_SECONDS: {
    readBy: 'functions',
    kind: 'integer',
    default: 60,
    min: 1,
    max: 3600,
    meaning:
      "the period of each point of `systemStatus`'s series: 60 in AWS, where the metrics have CloudWatch's standard (one-minute) resolution; the local stack sets 10",
  },
  POWERTOOLS_SERVICE_NAME: {
    readBy: 'functions',
    kind: 'text',
    default: 'telemetry-alerts',
    meaning: 'the service name on every log line (read by Powertools)',
  },
  POWERTOOLS_LOG_LEVEL: {
    readBy: 'functions',
    kind: 'choice',
    choices: ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'],
    default: 'INFO',
    meaning: 'the functions’ log level (read by Powertools)',
  },
  POWERTOOLS_LOGGER_SAMPLE_RATE: {
    readBy: 'functions',
    kind: 'text',
    default: '0',
    meaning:
      'the share of invocations, from 0 to 1, logged at DEBUG whatever the log level, e.g. 0.01 (read by Powertools)',
  },
  POWERTOOLS_METRICS_DISABLED: {
    readBy: 'functions',
    kind: 'flag',
    default: false,
    meaning: 'true: the functions write no metrics (read by Powertools)',
  },
  POWERTOOLS_TRACE_ENABLED: {
    readBy: 'functions',
    kind: 'flag',
    default: false,
    meaning:
      'true: the functions load Powertools Tracer in Lambda and trace their handlers and AWS SDK calls, annotating fired alerts; it slows them (docs/metrics.md), so it is for investigations. Lambda’s active tracing records every invocation either way',
  },

  // `npm start`.
  PORT: {
    readBy: 'npm start',
    kind: 'port',
    default: 4000,
    meaning: 'GraphQL over HTTP and its real-time websocket; the other ports follow it',
  },
  HTTPS_PORT: localPort('GraphQL and real-time over TLS (self-signed certificate)', 1),
  CONSOLE_PORT: localPort('the operator console', 2),
  DYNAMODB_PORT: localPort('the DynamoDB emulator', 10),
  SQS_PORT: localPort('the SQS and SNS emulator', 11),
  SMTP_PORT: localPort('the e-mail inbox’s SMTP server', 25),
  INBOX_PORT: localPort('the e-mail inbox’s web page', 80),
  COGNITO_PORT: localPort('the Cognito-compatible user pool (sign-in and its JWKS)', 12),
  CLOUDWATCH_PORT: localPort(
    "the CloudWatch emulator: the functions' captured metrics and the queues', for `systemStatus`",
    13,
  ),
  ALERT_EMAILS: {
    readBy: 'npm start',
    kind: 'list',
    default: 'oncall@example.com',
    meaning: 'e-mail subscribers of the alerts topic, comma-separated',
  },
  LOCAL_STATE_DIR: {
    readBy: 'npm start',
    kind: 'text',
    default: '.local',
    meaning: 'where state persists across restarts',
  },
  LOCAL_EPHEMERAL: {
    readBy: 'npm start',
    kind: 'flag',
    default: false,
    meaning: 'keep nothing: state in memory, gone on exit (also `npm start -- --ephemeral`)',
  },
  VISIBILITY_TIMEOUT_SECONDS: {
    readBy: 'npm start',
    kind: 'integer',
    default: evaluationQueue.visibilityTimeoutSeconds,
    min: 0,
    max: 43_200,
    meaning: 'how long a message the worker took stays hidden before it is redelivered',
  },
  EPISODE_CHECK_MS: {
    readBy: 'npm start',
    kind: 'integer',
    default: 10_000,
    min: 100,
    max: 3_600_000,
    meaning: 'how often the no-data and repeat check runs (AWS: every minute)',
  },
  LOG_LEVEL: {
    readBy: 'npm start',
    kind: 'choice',
    choices: ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'],
    default: 'WARN',
    meaning: 'the functions’ log level on the local stack',
  },

  // `cdk deploy` (context).
  alertEmail: {
    readBy: 'cdk deploy',
    kind: 'list',
    default: '',
    meaning:
      'e-mail subscribers of the alerts topic, comma-separated (each confirms by e-mail; none: synth warns)',
  },
  operationsEmail: {
    readBy: 'cdk deploy',
    kind: 'list',
    default: '',
    meaning:
      "e-mail subscribers of the operations topic, where the system's alarms go (docs/operations.md), comma-separated (each confirms by e-mail; none: synth warns)",
  },
  queueAgeAlarmSeconds: {
    readBy: 'cdk deploy',
    kind: 'integer',
    // Above 3 receives × the 180 s visibility timeout (540 s): SQS leaves a message out of
    // its age once it has been received three times, so one reading the worker keeps
    // failing on does not raise the alarm (the dead-letter alarm reports it).
    default: 600,
    min: 60,
    max: evaluationQueue.messageRetentionSeconds,
    meaning:
      'seconds the oldest reading may wait in the readings queue, two minutes in a row, before the readings-waiting alarm goes off; below 540 a single reading being retried can set it off',
  },
  workerErrorsAlarmThreshold: {
    readBy: 'cdk deploy',
    kind: 'integer',
    default: 3,
    min: 1,
    max: 100_000,
    meaning:
      "failed worker invocations (timeouts, crashes: not a reading's own failure, which is retried) in 5 minutes that set off the worker-errors alarm",
  },
  notificationFailuresAlarmThreshold: {
    readBy: 'cdk deploy',
    kind: 'integer',
    default: 1,
    min: 1,
    max: 100_000,
    meaning:
      'failed notifications (e-mail and push together) in each of two 5-minute periods in a row that set off the notifications alarm',
  },
  apiServerErrorAlarmPercent: {
    readBy: 'cdk deploy',
    kind: 'integer',
    default: 1,
    min: 1,
    max: 100,
    meaning:
      "the API's 5xx responses, as a percentage of its requests, in each of two 5-minute periods in a row (of at least 10 requests) that sets off the API alarm",
  },
  console: {
    readBy: 'cdk deploy',
    kind: 'flag',
    default: true,
    meaning: 'deploy the operator console (S3 and CloudFront)',
  },
  consoleDist: {
    readBy: 'cdk deploy',
    kind: 'text',
    default: 'console/dist',
    meaning: 'the built console to deploy (`npm run build:console` writes it)',
  },
  retentionDays: {
    readBy: 'cdk deploy',
    kind: 'integer',
    default: retentionDays,
    min: 1,
    max: 3650,
    meaning: 'days readings and alerts are kept (DynamoDB TTL; the functions’ RETENTION_DAYS)',
  },
  workerBatchSize: {
    readBy: 'cdk deploy',
    kind: 'integer',
    default: evaluationQueue.batchSize,
    min: 1,
    max: 10_000,
    meaning: 'messages per worker invocation',
  },
  workerMaxBatchingWindowSeconds: {
    readBy: 'cdk deploy',
    kind: 'integer',
    default: evaluationQueue.maxBatchingWindowSeconds,
    min: 0,
    max: 300,
    meaning: 'how long to gather a batch; 0 invokes the worker as soon as messages arrive',
  },
  apiRequestsPerFiveMinutes: {
    readBy: 'cdk deploy',
    kind: 'integer',
    default: 3000,
    // AWS WAF's bounds for a rate-based rule.
    min: 10,
    max: 2_000_000_000,
    meaning:
      'requests one IP address may send the API in any 5 minutes before the WAF web ACL blocks it (until its rate falls below): a gateway sending a batch every second sends 300, a tenth of the default, so several gateways or people can share one address; a flood of forged device tokens from one address is held to 10 requests a second',
  },
  authorizerReservedConcurrency: {
    readBy: 'cdk deploy',
    kind: 'integer',
    min: 1,
    max: 10_000,
    meaning:
      "the device authorizer's reserved concurrency; none: it shares the account's unreserved pool. Reserve N so a flood of forged tokens cannot starve the other functions; needs N + 10 unreserved in the account",
  },
} as const satisfies Record<string, SettingDefinition>;

export type SettingName = keyof typeof settings;

type ValueOf<D> = D extends { kind: 'integer'; default: number }
  ? number
  : D extends { kind: 'integer' }
    ? number | undefined
    : D extends { kind: 'port' }
      ? number
      : D extends { kind: 'flag' }
        ? boolean
        : D extends { kind: 'list' }
          ? string[]
          : D extends { kind: 'choice'; choices: readonly (infer C)[] }
            ? C
            : string;

/** The value a setting holds, by its name. */
export type SettingValue<N extends SettingName> = ValueOf<(typeof settings)[N]>;

/** A setting given a value it cannot take, or a required one missing; the message names it. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

/** Where a setting's value comes from, as its message names it. */
function origin(name: SettingName): string {
  return settings[name].readBy === 'cdk deploy'
    ? `Context ${name}`
    : `Environment variable ${name}`;
}

/**
 * Parses one setting's raw text (undefined or empty: not set) by its declaration, refusing
 * a value it cannot take with its name and range. `others` supplies the settings a default
 * is an offset from.
 */
export function parseSetting<N extends SettingName>(
  name: N,
  raw: string | undefined,
  others: (name: SettingName) => string | undefined = () => undefined,
): SettingValue<N> {
  const definition: SettingDefinition = settings[name];
  const text = raw === undefined || raw === '' ? undefined : raw;
  const value = (): unknown => {
    switch (definition.kind) {
      case 'text':
        if (text !== undefined) return text;
        if (definition.default !== undefined) return definition.default;
        throw new SettingError(`Missing ${lowerFirst(origin(name))}: ${definition.meaning}`);
      case 'integer':
        return integer(name, text, definition.default, definition.min, definition.max);
      case 'port': {
        const base =
          definition.offsetFrom === undefined
            ? 0
            : Number(
                parseSetting(
                  definition.offsetFrom as SettingName,
                  others(definition.offsetFrom as SettingName),
                ),
              );
        return integer(name, text, base + definition.default, 1, 65_535);
      }
      case 'list':
        return (text ?? definition.default)
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
      case 'flag':
        if (text === undefined) return definition.default;
        if (text === 'true' || text === '1') return true;
        if (text === 'false' || text === '0') return false;
        throw new SettingError(`${origin(name)} must be true or false; got '${text}'`);
      case 'choice':
        if (text === undefined) return definition.default;
        if (definition.choices.includes(text)) return text;
        throw new SettingError(
          `${origin(name)} must be one of ${definition.choices.join(', ')}; got '${text}'`,
        );
    }
  };
  return value() as SettingValue<N>;
}

const lowerFirst = (text: string) => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;

function integer(
  name: SettingName,
  text: string | undefined,
  fallback: number | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SettingError(
      `${origin(name)} must be a whole number from ${min} to ${max}; got '${text}'`,
    );
  }
  return value;
}

/** The settings' table, as docs/configuration.md shows it between its markers. */
export function settingsTable(): string {
  const readers: SettingReader[] = ['functions', 'npm start', 'cdk deploy'];
  const headings: Record<SettingReader, string> = {
    functions: 'The functions read (in AWS and locally, from their environment)',
    'npm start': '`npm start` reads (from its environment)',
    'cdk deploy': '`npm run deploy` reads (from CDK context: `-- -c name=value`)',
  };
  const sections = readers.map((reader) => {
    const rows = Object.entries(settings)
      .filter(([, definition]) => definition.readBy === reader)
      .map(
        ([name, definition]) =>
          `| \`${name}\` | ${defaultText(definition)} | ${definition.meaning} |`,
      );
    return [
      `### ${headings[reader]}`,
      '',
      '| Setting | Default | Meaning |',
      '|---|---|---|',
      ...rows,
    ].join('\n');
  });
  return sections.join('\n\n');
}

function defaultText(definition: SettingDefinition): string {
  switch (definition.kind) {
    case 'text':
      return definition.default === undefined ? 'required' : `\`${definition.default}\``;
    case 'port':
      return definition.offsetFrom === undefined
        ? String(definition.default)
        : `${definition.offsetFrom} + ${definition.default}`;
    case 'list':
      return definition.default === '' ? 'none' : `\`${definition.default}\``;
    case 'integer':
      return definition.default === undefined ? 'none' : String(definition.default);
    case 'choice':
      return `\`${definition.default}\` (${definition.choices.join(', ')})`;
    default:
      return String(definition.default);
  }
}

const BEGIN = '<!-- settings:begin -->';
const END = '<!-- settings:end -->';

/** A document with the settings' table written between its markers. */
export function withSettingsTable(document: string): string {
  const begin = document.indexOf(BEGIN);
  const end = document.indexOf(END);
  if (begin === -1 || end < begin) {
    throw new Error(`The document has no ${BEGIN} … ${END} block for the settings table`);
  }
  return `${document.slice(0, begin + BEGIN.length)}\n\n${settingsTable()}\n\n${document.slice(end)}`;
}
