/**
 * The system's own measurements: what operators watch to know that readings flow, how far
 * behind evaluation is and whether notifications fail. One namespace, and dimensions of low
 * cardinality only (never a device or rule id). The functions emit them in CloudWatch's
 * embedded metric format (adapters/metrics.ts); the dashboard and alarms
 * (infra/constructs/observability.ts) and `systemStatus` read them by these names.
 */
export const metricsNamespace = 'TelemetryAlerts';

/** The `service` dimension every metric carries (Powertools' default dimension). */
export const metricsService = 'telemetry-alerts';

export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes';

interface MetricDefinition {
  unit: MetricUnit;
  /** The dimension each data point carries besides `service`; none when absent. */
  dimension?: MetricDimension;
  description: string;
}

/** Dimensions and the values they take: closed sets, so a dashboard can list them all. */
export const metricDimensions = {
  /** Why ingest refused a reading. */
  reason: ['Validation', 'Unauthorized', 'QueueUnavailable'],
  severity: ['INFO', 'WARNING', 'CRITICAL'],
  /** Where a notification went: e-mail and SNS subscribers (`sns`), or `onAlert` (`push`). */
  channel: ['sns', 'push'],
  /** What kept a notification from e-mail and SNS (it was still recorded and pushed). */
  mutedBy: ['silence', 'maintenanceWindow', 'flapping'],
  /** A rule refresh: a cold start's full load, or the changes since the last refresh. */
  refresh: ['full', 'changes'],
} as const;

export type MetricDimension = keyof typeof metricDimensions;

export const metricCatalog = {
  ReadingsAccepted: {
    unit: 'Count',
    description: 'Readings ingest accepted and queued for evaluation.',
  },
  ReadingsRefused: {
    unit: 'Count',
    dimension: 'reason',
    description: 'Readings ingest refused, by the class of the reason.',
  },
  ReadingsEvaluated: {
    unit: 'Count',
    description: 'Readings the worker stored and evaluated.',
  },
  EvaluationLag: {
    unit: 'Milliseconds',
    description:
      "From a reading's arrival in the queue to its evaluation; one value per queue message, so CloudWatch gives its percentiles.",
  },
  AlertsFired: { unit: 'Count', dimension: 'severity', description: 'Alerts that fired.' },
  AlertsResolved: { unit: 'Count', dimension: 'severity', description: 'Alerts resolved.' },
  AlertsAcknowledged: {
    unit: 'Count',
    dimension: 'severity',
    description: 'Alerts acknowledged by a person.',
  },
  NotificationsSent: {
    unit: 'Count',
    dimension: 'channel',
    description: 'Alert notifications delivered, by channel.',
  },
  NotificationsFailed: {
    unit: 'Count',
    dimension: 'channel',
    description: 'Alert notifications that failed (and are retried), by channel.',
  },
  NotificationsMuted: {
    unit: 'Count',
    dimension: 'mutedBy',
    description:
      'Notifications not e-mailed because a silence or maintenance window held them, or the episode was flapping.',
  },
  EpisodeWriteConflicts: {
    unit: 'Count',
    description: 'Episode writes refused because another worker wrote first, and retried.',
  },
  RuleRefreshes: {
    unit: 'Count',
    dimension: 'refresh',
    description: "The worker's rule refreshes: full loads and reads of changes.",
  },
  RuleRefreshDuration: {
    unit: 'Milliseconds',
    dimension: 'refresh',
    description: 'How long a rule refresh took.',
  },
  RulesHeld: {
    unit: 'Count',
    description: "Rules in the worker's index after a refresh.",
  },
  PoisonRecords: {
    unit: 'Count',
    description: 'Queue records that are neither readings nor a work message.',
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof metricCatalog;

/** The dimension value a metric takes, or never when it has none. */
export type DimensionValue<N extends MetricName> = (typeof metricCatalog)[N] extends {
  dimension: infer D extends MetricDimension;
}
  ? (typeof metricDimensions)[D][number]
  : never;

/**
 * Where the domain records its measurements; adapters/metrics.ts sends them to CloudWatch
 * as EMF, once per invocation. A value is a count, or milliseconds, by the metric's unit.
 */
export interface Metrics {
  add<N extends MetricName>(name: N, value: number, dimension?: DimensionValue<N>): void;
}

/** Records nothing: for code run where nobody watches (scripts, tests that do not assert it). */
export const noMetrics: Metrics = { add: () => undefined };
