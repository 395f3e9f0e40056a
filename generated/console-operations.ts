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

/** THRESHOLD: readings breached the rule. NO_DATA: the device stopped sending the metric. */
export type AlertReason =
  | 'NO_DATA'
  | 'THRESHOLD';

/** FIRING while the condition holds; RESOLVED once it cleared (or its rule was deleted or disabled). */
export type AlertStatus =
  | 'FIRING'
  | 'RESOLVED';

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

/** Comparison between a reading's value and a rule's threshold. */
export type Operator =
  | 'EQ'
  | 'GT'
  | 'GTE'
  | 'LT'
  | 'LTE'
  | 'NEQ';

export type Severity =
  | 'CRITICAL'
  | 'INFO'
  | 'WARNING';

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

export type AlertFieldsFragment = { id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null };

export type RuleFieldsFragment = { id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null };

export type DeviceFieldsFragment = { id: string, name: string | null, firstSeenAt: string, lastSeenAt: string, openAlerts: number, worstSeverity: Severity | null, labels: Array<{ key: string, value: string }>, latest: Array<{ metric: string, value: number, timestamp: string }> };

export type DeviceCredentialFieldsFragment = { id: string, name: string, deviceIds: Array<string>, deviceIdPrefix: string | null, createdAt: string, createdBy: string, lastUsedAt: string | null, revokedAt: string | null, revokedBy: string | null };

export type AlertsQueryVariables = Exact<{
  deviceId?: string | null | undefined;
  from?: string | null | undefined;
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type AlertsQuery = { alerts: { nextToken: string | null, items: Array<{ id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null }> } };

export type OnAlertSubscriptionVariables = Exact<{
  deviceId?: string | null | undefined;
}>;


export type OnAlertSubscription = { onAlert: { id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null } | null };

export type AcknowledgeAlertMutationVariables = Exact<{
  id: string;
}>;


export type AcknowledgeAlertMutation = { acknowledgeAlert: { id: string, ruleId: string, ruleName: string | null, deviceId: string, metric: string, value: number, threshold: number, operator: Operator, severity: Severity, status: AlertStatus, reason: AlertReason, eventId: string | null, eventTimestamp: string | null, firedAt: string, resolvedAt: string | null, acknowledgedAt: string | null, acknowledgedBy: string | null, notifiedAt: string | null } };

export type RulesQueryVariables = Exact<{
  limit?: number | null | undefined;
  nextToken?: string | null | undefined;
}>;


export type RulesQuery = { rules: { nextToken: string | null, items: Array<{ id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null }> } };

export type CreateRuleMutationVariables = Exact<{
  input: CreateRuleInput;
}>;


export type CreateRuleMutation = { createRule: { id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } };

export type UpdateRuleMutationVariables = Exact<{
  id: string;
  input: UpdateRuleInput;
}>;


export type UpdateRuleMutation = { updateRule: { id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } };

export type SetRuleEnabledMutationVariables = Exact<{
  id: string;
  enabled: boolean;
}>;


export type SetRuleEnabledMutation = { setRuleEnabled: { id: string, deviceId: string | null, metric: string, operator: Operator, threshold: number, enabled: boolean, severity: Severity, name: string | null, description: string | null, forReadings: number, windowSeconds: number | null, aggregation: Aggregation | null, clearThreshold: number | null, noDataSeconds: number | null, repeatIntervalSeconds: number | null, createdAt: string, createdBy: string | null, updatedAt: string, updatedBy: string | null, selector: Array<{ key: string, operator: LabelOperator, values: Array<string> }> | null } };

export type DeleteRuleMutationVariables = Exact<{
  id: string;
}>;


export type DeleteRuleMutation = { deleteRule: { id: string, deleted: boolean } };

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
