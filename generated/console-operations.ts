/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** How readings in a rule's trailing window are combined before comparing with the threshold. */
export type Aggregation =
  | 'AVG'
  | 'COUNT'
  | 'MAX'
  | 'MIN'
  | 'SUM';

/**
 * Which alerts a silence or maintenance window mutes: every matcher given must hold, and at
 * least one must be given.
 */
export type AlertMatchersInput = {
  /** Alerts of this device. */
  deviceId?: string | null | undefined;
  /** The alert's labels (the device's when it fired) match all these matchers, as a rule's selector does. */
  labels?: Array<LabelMatcherInput> | null | undefined;
  /** Alerts of rules on this metric. */
  metric?: string | null | undefined;
  /** Alerts of this rule. */
  ruleId?: string | null | undefined;
  /** Alerts of any of these severities. */
  severities?: Array<Severity> | null | undefined;
};

/** THRESHOLD: readings breached the rule. NO_DATA: the device stopped sending the metric. */
export type AlertReason =
  | 'NO_DATA'
  | 'THRESHOLD';

/**
 * Where an alert stands (docs/alert-states.md). FIRING: the condition holds and nobody
 * acknowledged it. ACKNOWLEDGED: the condition holds and someone acknowledged it. LATCHED: the
 * rule latches, the condition cleared and nobody acknowledged it yet; acknowledging resolves it.
 * RESOLVED: over (the condition cleared, it was acknowledged when latched, reset, or its rule
 * was deleted or disabled).
 */
export type AlertStatus =
  | 'ACKNOWLEDGED'
  | 'FIRING'
  | 'LATCHED'
  | 'RESOLVED';

/** Why a backtest episode fired: readings breached the rule, or the device went silent. */
export type BacktestEpisodeReason =
  | 'NO_DATA'
  | 'THRESHOLD';

/**
 * A backtest: a draft rule replayed over the stored readings of a time range, in memory,
 * writing nothing (docs/backtest.md). The target is `deviceId` when given, else the draft's
 * own device, else the devices its selector picks, else every device in the inventory.
 */
export type BacktestInput = {
  /** Replay this device only; for a draft of one device, it must be that device. */
  deviceId?: string | null | undefined;
  /** The readings replayed are those from `from` to `to`, inclusive; from must be before to. */
  from: string;
  /** The draft rule, as createRule takes it; validated as createRule validates it. */
  rule: CreateRuleInput;
  to: string;
};

/** Devices the credential may send readings for: listed ids, ids with a prefix, or both. */
export type CreateDeviceCredentialInput = {
  deviceIdPrefix?: string | null | undefined;
  deviceIds?: Array<string> | null | undefined;
  name: string;
};

export type CreateRuleInput = {
  /** How the window is combined (default AVG); needs windowSeconds. */
  aggregation?: Aggregation | null | undefined;
  /** Hysteresis: once firing, resolve only when the value crosses this level (default: the threshold). */
  clearThreshold?: number | null | undefined;
  description?: string | null | undefined;
  /** One device. With neither deviceId nor selector, every device. */
  deviceId?: string | null | undefined;
  /** Defaults to true. */
  enabled?: boolean | null | undefined;
  /** Detect flapping: an alert that keeps firing and resolving is notified when it starts and stops flapping, not at every change (default true). */
  flapDetection?: boolean | null | undefined;
  /** Flapping starts when the weighted percent state change of the last 21 readings reaches this (above 0, at most 100; default 50). */
  flapHighPercent?: number | null | undefined;
  /** Flapping stops when the percent state change falls below this (above 0, below flapHighPercent; default 25). */
  flapLowPercent?: number | null | undefined;
  /** Fire only after this many consecutive breaching readings (default 1). */
  forReadings?: number | null | undefined;
  /** E-mail grouping: label keys whose values (the alert's labels) split the rule's e-mails into groups, each sent as one message; at most 8 (default none: one group for the rule). */
  groupBy?: Array<string> | null | undefined;
  /** Least seconds between two e-mails of one group while it receives more, 0 to 86400 (default: the deployment's GROUP_INTERVAL_SECONDS, 300). */
  groupIntervalSeconds?: number | null | undefined;
  /** Seconds the first notification into an empty group waits for more before the group is e-mailed, 0 to 3600 (default: the deployment's GROUP_WAIT_SECONDS, 30). */
  groupWaitSeconds?: number | null | undefined;
  /** Latch: an alert whose condition cleared stays LATCHED until someone acknowledges it, then resolves (IoT Events' acknowledge flow; default false). */
  latch?: boolean | null | undefined;
  metric: string;
  name?: string | null | undefined;
  /** Fire a NO_DATA alert when a device that reported the metric has sent nothing for this long. */
  noDataSeconds?: number | null | undefined;
  operator: Operator;
  /** While firing, notify again every this many seconds (default: never). */
  repeatIntervalSeconds?: number | null | undefined;
  /** The devices whose labels match all these matchers; not with deviceId. */
  selector?: Array<LabelMatcherInput> | null | undefined;
  /** Defaults to WARNING. */
  severity?: Severity | null | undefined;
  threshold: number;
  /** Compare the aggregate of the trailing window of this many seconds, not the single reading. */
  windowSeconds?: number | null | undefined;
};

export type CreateSilenceInput = {
  /** Why: what a colleague reads in the list (at most 1,000 characters). */
  comment: string;
  /** After startsAt and in the future. */
  endsAt: string;
  matchers: AlertMatchersInput;
  /** Send the resolution of an alert that resolved while silenced, when the silence ends (default true). */
  notifyResolved?: boolean | null | undefined;
  /** Defaults to now. */
  startsAt?: string | null | undefined;
};

/** Which devices to list: all label matchers must hold, and the search must occur in the id or name. */
export type DeviceFilter = {
  labels?: Array<LabelMatcherInput> | null | undefined;
  search?: string | null | undefined;
};

export type LabelInput = {
  key: string;
  value: string;
};

export type LabelMatcherInput = {
  key: string;
  operator: LabelOperator;
  values?: Array<string> | null | undefined;
};

/** How a label matcher tests a device's label. */
export type LabelOperator =
  /** The label is present with this one value. */
  | 'EQ'
  /** The label is present, whatever its value. */
  | 'EXISTS'
  /** The label is present with one of these values. */
  | 'IN'
  /** The label is absent, or has another value. */
  | 'NEQ'
  /** The label is absent. */
  | 'NOT_EXISTS'
  /** The label is absent, or has none of these values. */
  | 'NOT_IN';

export type MaintenanceWindowInput = {
  /** The last day the window applies (in its time zone); absent: without end. */
  endsOn?: string | null | undefined;
  matchers: AlertMatchersInput;
  name: string;
  /** Send the resolution of an alert that resolved while muted, when the period ends (default true). */
  notifyResolved?: boolean | null | undefined;
  periods: Array<WeeklyPeriodInput>;
  /** The first day the window applies (in its time zone); absent: from now on. */
  startsOn?: string | null | undefined;
  /** An IANA time zone, e.g. Europe/Berlin or America/New_York; the periods and dates are in it. */
  timeZone: string;
};

/** Comparison between a reading's value and a rule's threshold. */
export type Operator =
  | 'EQ'
  | 'GT'
  | 'GTE'
  | 'LT'
  | 'LTE'
  | 'NEQ';

/** What an imported rule was made from. */
export type RuleSourceKind =
  /** An AWS IoT Events alarm model (importAlarmModels, npm run import-iot-events). */
  | 'IOT_EVENTS';

export type Severity =
  | 'CRITICAL'
  | 'INFO'
  | 'WARNING';

/** PENDING before its start, ACTIVE from its start until its end, EXPIRED after (or once expired by hand). */
export type SilenceState =
  | 'ACTIVE'
  | 'EXPIRED'
  | 'PENDING';

/** Absent fields keep their value; labels, when given, replace the device's labels. */
export type UpdateDeviceInput = {
  labels?: Array<LabelInput> | null | undefined;
  name?: string | null | undefined;
};

/** Absent fields keep their value; an explicit null resets an option to its default. */
export type UpdateRuleInput = {
  aggregation?: Aggregation | null | undefined;
  clearThreshold?: number | null | undefined;
  description?: string | null | undefined;
  enabled?: boolean | null | undefined;
  flapDetection?: boolean | null | undefined;
  flapHighPercent?: number | null | undefined;
  flapLowPercent?: number | null | undefined;
  forReadings?: number | null | undefined;
  groupBy?: Array<string> | null | undefined;
  groupIntervalSeconds?: number | null | undefined;
  groupWaitSeconds?: number | null | undefined;
  latch?: boolean | null | undefined;
  metric?: string | null | undefined;
  name?: string | null | undefined;
  noDataSeconds?: number | null | undefined;
  operator?: Operator | null | undefined;
  repeatIntervalSeconds?: number | null | undefined;
  /** A new selector (the rule keeps its deviceId, so only a selector rule takes one); null: none. */
  selector?: Array<LabelMatcherInput> | null | undefined;
  severity?: Severity | null | undefined;
  threshold?: number | null | undefined;
  windowSeconds?: number | null | undefined;
};

export type Weekday =
  | 'FRIDAY'
  | 'MONDAY'
  | 'SATURDAY'
  | 'SUNDAY'
  | 'THURSDAY'
  | 'TUESDAY'
  | 'WEDNESDAY';

/**
 * A weekly period in the window's time zone: on each of `days`, from `start` to `end` ("HH:MM",
 * 24-hour). `end` may be "24:00"; an end at or before the start runs past midnight into the next day.
 */
export type WeeklyPeriodInput = {
  days: Array<Weekday>;
  end: string;
  start: string;
};

export type AlertFieldsFragment = { id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null, resolution: string | null, silenced: boolean | null, silenceId: string | null, flapping: boolean | null };

export type RuleFieldsFragment = { id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, groupBy: Array<string> | null, groupWaitSeconds: number | null, groupIntervalSeconds: number | null, flapDetection: boolean, flapHighPercent: number, flapLowPercent: number, latch: boolean, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null, source: { kind: RuleSourceKind, name: string, version: string | null } | null };

export type DeviceFieldsFragment = { id: string, name: string | null, firstSeenAt: string, lastSeenAt: string, openAlerts: number, worstSeverity: Severity | null, labels: Array<{ key: string, value: string }>, latest: Array<{ metric: string, value: number, timestamp: string }> };

export type DeviceCredentialFieldsFragment = { id: string, name: string, deviceIds: Array<string>, deviceIdPrefix: string | null, createdAt: string, createdBy: string, lastUsedAt: string | null, revokedAt: string | null, revokedBy: string | null };

export type SilenceFieldsFragment = { id: string, startsAt: string, endsAt: string, comment: string, notifyResolved: boolean, state: SilenceState, createdAt: string, createdBy: string, expiredAt: string | null, expiredBy: string | null, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } };

export type MaintenanceWindowFieldsFragment = { id: string, name: string, timeZone: string, startsOn: string | null, endsOn: string | null, notifyResolved: boolean, active: boolean, createdAt: string, createdBy: string, updatedAt: string, updatedBy: string | null, periods: Array<{ days: Array<Weekday>, start: string, end: string }>, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } };

export type AlertsQueryVariables = Exact<{
  deviceId?: string | null | undefined;
  from?: string | null | undefined;
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type AlertsQuery = { alerts: { nextToken: string | null, items: Array<{ id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null, resolution: string | null, silenced: boolean | null, silenceId: string | null, flapping: boolean | null }> } };

export type OnAlertSubscriptionVariables = Exact<{
  deviceId?: string | null | undefined;
}>;


export type OnAlertSubscription = { onAlert: { id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null, resolution: string | null, silenced: boolean | null, silenceId: string | null, flapping: boolean | null } | null };

export type AcknowledgeAlertMutationVariables = Exact<{
  id: string;
}>;


export type AcknowledgeAlertMutation = { acknowledgeAlert: { id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null, resolution: string | null, silenced: boolean | null, silenceId: string | null, flapping: boolean | null } };

export type SnoozeAlertMutationVariables = Exact<{
  id: string;
  seconds: number;
}>;


export type SnoozeAlertMutation = { snoozeAlert: { id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null, resolution: string | null, silenced: boolean | null, silenceId: string | null, flapping: boolean | null } };

export type ResetAlertMutationVariables = Exact<{
  id: string;
}>;


export type ResetAlertMutation = { resetAlert: { id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null, resolution: string | null, silenced: boolean | null, silenceId: string | null, flapping: boolean | null } };

export type RulesQueryVariables = Exact<{
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type RulesQuery = { rules: { nextToken: string | null, items: Array<{ id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, groupBy: Array<string> | null, groupWaitSeconds: number | null, groupIntervalSeconds: number | null, flapDetection: boolean, flapHighPercent: number, flapLowPercent: number, latch: boolean, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null, source: { kind: RuleSourceKind, name: string, version: string | null } | null }> } };

export type CreateRuleMutationVariables = Exact<{
  input: CreateRuleInput;
}>;


export type CreateRuleMutation = { createRule: { id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, groupBy: Array<string> | null, groupWaitSeconds: number | null, groupIntervalSeconds: number | null, flapDetection: boolean, flapHighPercent: number, flapLowPercent: number, latch: boolean, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null, source: { kind: RuleSourceKind, name: string, version: string | null } | null } };

export type UpdateRuleMutationVariables = Exact<{
  id: string;
  input: UpdateRuleInput;
}>;


export type UpdateRuleMutation = { updateRule: { id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, groupBy: Array<string> | null, groupWaitSeconds: number | null, groupIntervalSeconds: number | null, flapDetection: boolean, flapHighPercent: number, flapLowPercent: number, latch: boolean, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null, source: { kind: RuleSourceKind, name: string, version: string | null } | null } };

export type SetRuleEnabledMutationVariables = Exact<{
  id: string;
  enabled: boolean;
}>;


export type SetRuleEnabledMutation = { setRuleEnabled: { id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, groupBy: Array<string> | null, groupWaitSeconds: number | null, groupIntervalSeconds: number | null, flapDetection: boolean, flapHighPercent: number, flapLowPercent: number, latch: boolean, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null, source: { kind: RuleSourceKind, name: string, version: string | null } | null } };

export type DeleteRuleMutationVariables = Exact<{
  id: string;
}>;


export type DeleteRuleMutation = { deleteRule: { id: string, deleted: boolean } };

export type BacktestRuleQueryVariables = Exact<{
  input: BacktestInput;
}>;


export type BacktestRuleQuery = { backtestRule: { from: string, to: string, episodeCount: number, episodesTruncated: boolean, readingsReplayed: number, notes: Array<string>, episodes: Array<{ deviceId: string, reason: BacktestEpisodeReason, startedAt: string, endedAt: string | null, latchedAt: string | null, eventId: string | null, value: number, peak: number, readingsBreached: number }>, devices: Array<{ deviceId: string, readings: number, episodes: number }> } };

export type EventsQueryVariables = Exact<{
  deviceId: string;
  from?: string | null | undefined;
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type EventsQuery = { events: { nextToken: string | null, items: Array<{ id: string, metric: string, value: number, timestamp: string }> } };

export type DevicesQueryVariables = Exact<{
  filter?: DeviceFilter | null | undefined;
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type DevicesQuery = { devices: { nextToken: string | null, items: Array<{ id: string, name: string | null, firstSeenAt: string, lastSeenAt: string, openAlerts: number, worstSeverity: Severity | null, labels: Array<{ key: string, value: string }>, latest: Array<{ metric: string, value: number, timestamp: string }> }> } };

export type DeviceQueryVariables = Exact<{
  id: string;
}>;


export type DeviceQuery = { device: { id: string, name: string | null, firstSeenAt: string, lastSeenAt: string, openAlerts: number, worstSeverity: Severity | null, labels: Array<{ key: string, value: string }>, latest: Array<{ metric: string, value: number, timestamp: string }> } | null };

export type UpdateDeviceMutationVariables = Exact<{
  id: string;
  input: UpdateDeviceInput;
}>;


export type UpdateDeviceMutation = { updateDevice: { id: string, name: string | null, firstSeenAt: string, lastSeenAt: string, openAlerts: number, worstSeverity: Severity | null, labels: Array<{ key: string, value: string }>, latest: Array<{ metric: string, value: number, timestamp: string }> } };

export type DeleteDeviceMutationVariables = Exact<{
  id: string;
}>;


export type DeleteDeviceMutation = { deleteDevice: { id: string, deleted: boolean } };

export type DeviceCredentialsQueryVariables = Exact<{
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type DeviceCredentialsQuery = { deviceCredentials: { nextToken: string | null, items: Array<{ id: string, name: string, deviceIds: Array<string>, deviceIdPrefix: string | null, createdAt: string, createdBy: string, lastUsedAt: string | null, revokedAt: string | null, revokedBy: string | null }> } };

export type CreateDeviceCredentialMutationVariables = Exact<{
  input: CreateDeviceCredentialInput;
}>;


export type CreateDeviceCredentialMutation = { createDeviceCredential: { token: string, credential: { id: string, name: string, deviceIds: Array<string>, deviceIdPrefix: string | null, createdAt: string, createdBy: string, lastUsedAt: string | null, revokedAt: string | null, revokedBy: string | null } } };

export type RevokeDeviceCredentialMutationVariables = Exact<{
  id: string;
}>;


export type RevokeDeviceCredentialMutation = { revokeDeviceCredential: { id: string, name: string, deviceIds: Array<string>, deviceIdPrefix: string | null, createdAt: string, createdBy: string, lastUsedAt: string | null, revokedAt: string | null, revokedBy: string | null } };

export type SystemStatusQueryVariables = Exact<{
  minutes?: number | null | undefined;
}>;


export type SystemStatusQuery = { systemStatus: { readAt: string, queueDepth: number, queueInFlight: number, deadLetterDepth: number, oldestMessageAgeSeconds: number | null, periodSeconds: number, readingsAccepted: Array<{ at: string, value: number }>, readingsEvaluated: Array<{ at: string, value: number }>, evaluationLagP50: Array<{ at: string, value: number }>, evaluationLagP99: Array<{ at: string, value: number }>, oldestMessageAge: Array<{ at: string, value: number }> } };

export type SilencesQueryVariables = Exact<{
  state?: SilenceState | null | undefined;
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type SilencesQuery = { silences: { nextToken: string | null, items: Array<{ id: string, startsAt: string, endsAt: string, comment: string, notifyResolved: boolean, state: SilenceState, createdAt: string, createdBy: string, expiredAt: string | null, expiredBy: string | null, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } }> } };

export type SilenceQueryVariables = Exact<{
  id: string;
}>;


export type SilenceQuery = { silence: { id: string, startsAt: string, endsAt: string, comment: string, notifyResolved: boolean, state: SilenceState, createdAt: string, createdBy: string, expiredAt: string | null, expiredBy: string | null, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } } | null };

export type CreateSilenceMutationVariables = Exact<{
  input: CreateSilenceInput;
}>;


export type CreateSilenceMutation = { createSilence: { id: string, startsAt: string, endsAt: string, comment: string, notifyResolved: boolean, state: SilenceState, createdAt: string, createdBy: string, expiredAt: string | null, expiredBy: string | null, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } } };

export type ExpireSilenceMutationVariables = Exact<{
  id: string;
}>;


export type ExpireSilenceMutation = { expireSilence: { id: string, startsAt: string, endsAt: string, comment: string, notifyResolved: boolean, state: SilenceState, createdAt: string, createdBy: string, expiredAt: string | null, expiredBy: string | null, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } } };

export type MaintenanceWindowsQueryVariables = Exact<{
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type MaintenanceWindowsQuery = { maintenanceWindows: { nextToken: string | null, items: Array<{ id: string, name: string, timeZone: string, startsOn: string | null, endsOn: string | null, notifyResolved: boolean, active: boolean, createdAt: string, createdBy: string, updatedAt: string, updatedBy: string | null, periods: Array<{ days: Array<Weekday>, start: string, end: string }>, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } }> } };

export type MaintenanceWindowQueryVariables = Exact<{
  id: string;
}>;


export type MaintenanceWindowQuery = { maintenanceWindow: { id: string, name: string, timeZone: string, startsOn: string | null, endsOn: string | null, notifyResolved: boolean, active: boolean, createdAt: string, createdBy: string, updatedAt: string, updatedBy: string | null, periods: Array<{ days: Array<Weekday>, start: string, end: string }>, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } } | null };

export type CreateMaintenanceWindowMutationVariables = Exact<{
  input: MaintenanceWindowInput;
}>;


export type CreateMaintenanceWindowMutation = { createMaintenanceWindow: { id: string, name: string, timeZone: string, startsOn: string | null, endsOn: string | null, notifyResolved: boolean, active: boolean, createdAt: string, createdBy: string, updatedAt: string, updatedBy: string | null, periods: Array<{ days: Array<Weekday>, start: string, end: string }>, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } } };

export type UpdateMaintenanceWindowMutationVariables = Exact<{
  id: string;
  input: MaintenanceWindowInput;
}>;


export type UpdateMaintenanceWindowMutation = { updateMaintenanceWindow: { id: string, name: string, timeZone: string, startsOn: string | null, endsOn: string | null, notifyResolved: boolean, active: boolean, createdAt: string, createdBy: string, updatedAt: string, updatedBy: string | null, periods: Array<{ days: Array<Weekday>, start: string, end: string }>, matchers: { ruleId: string | null, deviceId: string | null, metric: string | null, severities: Array<Severity> | null, labels: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } } };

export type DeleteMaintenanceWindowMutationVariables = Exact<{
  id: string;
}>;


export type DeleteMaintenanceWindowMutation = { deleteMaintenanceWindow: { id: string, deleted: boolean } };
