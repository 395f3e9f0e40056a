export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  AWSDate: { input: string; output: string; }
  AWSDateTime: { input: string; output: string; }
  AWSEmail: { input: string; output: string; }
  AWSIPAddress: { input: string; output: string; }
  AWSJSON: { input: string; output: string; }
  AWSPhone: { input: string; output: string; }
  AWSTime: { input: string; output: string; }
  AWSTimestamp: { input: number; output: number; }
  AWSURL: { input: string; output: string; }
};

/** How readings in a rule's trailing window are combined before comparing with the threshold. */
export type Aggregation =
  | 'AVG'
  | 'COUNT'
  | 'MAX'
  | 'MIN'
  | 'SUM';

export type Alert = {
  __typename?: 'Alert';
  acknowledgedAt: Maybe<Scalars['AWSDateTime']['output']>;
  /** Who acknowledged the alert: the signed-in user's e-mail or username. */
  acknowledgedBy: Maybe<Scalars['String']['output']>;
  deviceId: Scalars['ID']['output'];
  /** Id of the reading that fired the rule. */
  eventId: Maybe<Scalars['ID']['output']>;
  /** Time of the reading that fired the rule. */
  eventTimestamp: Maybe<Scalars['AWSDateTime']['output']>;
  firedAt: Scalars['AWSDateTime']['output'];
  /** True while the rule and device's episode is flapping: single fire and resolve notifications are replaced by one when flapping starts and one when it stops. */
  flapping: Maybe<Scalars['Boolean']['output']>;
  id: Scalars['ID']['output'];
  /** The device's labels when the alert fired. */
  labels: Maybe<Array<Label>>;
  metric: Scalars['String']['output'];
  /** When people were last notified of this alert (firing, a repeat, or its resolution). */
  notifiedAt: Maybe<Scalars['AWSDateTime']['output']>;
  operator: Operator;
  reason: AlertReason;
  /** Why the alert resolved, when the system resolved it (a rule deleted or disabled, a device leaving a rule's selector); null otherwise. */
  resolution: Maybe<Scalars['String']['output']>;
  resolvedAt: Maybe<Scalars['AWSDateTime']['output']>;
  ruleId: Scalars['ID']['output'];
  ruleName: Maybe<Scalars['String']['output']>;
  severity: Severity;
  /** The silence or maintenance window holding the alert's notifications, while one does. */
  silenceId: Maybe<Scalars['ID']['output']>;
  /** True while a silence or maintenance window holds the alert's notifications: it is recorded and pushed, not e-mailed. */
  silenced: Maybe<Scalars['Boolean']['output']>;
  status: AlertStatus;
  threshold: Scalars['Float']['output'];
  value: Scalars['Float']['output'];
};

export type AlertConnection = {
  __typename?: 'AlertConnection';
  items: Array<Alert>;
  nextToken: Maybe<Scalars['String']['output']>;
};

export type AlertInput = {
  acknowledgedAt?: InputMaybe<Scalars['AWSDateTime']['input']>;
  acknowledgedBy?: InputMaybe<Scalars['String']['input']>;
  deviceId: Scalars['ID']['input'];
  eventId?: InputMaybe<Scalars['ID']['input']>;
  eventTimestamp?: InputMaybe<Scalars['AWSDateTime']['input']>;
  firedAt: Scalars['AWSDateTime']['input'];
  flapping?: InputMaybe<Scalars['Boolean']['input']>;
  id: Scalars['ID']['input'];
  labels?: InputMaybe<Array<LabelInput>>;
  metric: Scalars['String']['input'];
  notifiedAt?: InputMaybe<Scalars['AWSDateTime']['input']>;
  operator: Operator;
  reason: AlertReason;
  resolution?: InputMaybe<Scalars['String']['input']>;
  resolvedAt?: InputMaybe<Scalars['AWSDateTime']['input']>;
  ruleId: Scalars['ID']['input'];
  ruleName?: InputMaybe<Scalars['String']['input']>;
  severity: Severity;
  silenceId?: InputMaybe<Scalars['ID']['input']>;
  silenced?: InputMaybe<Scalars['Boolean']['input']>;
  status: AlertStatus;
  threshold: Scalars['Float']['input'];
  value: Scalars['Float']['input'];
};

/** Which alerts a silence or maintenance window mutes: every matcher that is set holds. */
export type AlertMatchers = {
  __typename?: 'AlertMatchers';
  deviceId: Maybe<Scalars['ID']['output']>;
  labels: Maybe<Array<LabelMatcher>>;
  metric: Maybe<Scalars['String']['output']>;
  ruleId: Maybe<Scalars['ID']['output']>;
  severities: Maybe<Array<Severity>>;
};

/**
 * Which alerts a silence or maintenance window mutes: every matcher given must hold, and at
 * least one must be given.
 */
export type AlertMatchersInput = {
  /** Alerts of this device. */
  deviceId?: InputMaybe<Scalars['ID']['input']>;
  /** The alert's labels (the device's when it fired) match all these matchers, as a rule's selector does. */
  labels?: InputMaybe<Array<LabelMatcherInput>>;
  /** Alerts of rules on this metric. */
  metric?: InputMaybe<Scalars['String']['input']>;
  /** Alerts of this rule. */
  ruleId?: InputMaybe<Scalars['ID']['input']>;
  /** Alerts of any of these severities. */
  severities?: InputMaybe<Array<Severity>>;
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

/** A device the backtest replayed: its readings and the episodes it would have fired. */
export type BacktestDeviceCount = {
  __typename?: 'BacktestDeviceCount';
  deviceId: Scalars['ID']['output'];
  episodes: Scalars['Int']['output'];
  readings: Scalars['Int']['output'];
};

/** One episode the draft rule would have fired. */
export type BacktestEpisode = {
  __typename?: 'BacktestEpisode';
  deviceId: Scalars['ID']['output'];
  /** Event time of the reading that resolved it; null while it is still open at the end of the range. */
  endedAt: Maybe<Scalars['AWSDateTime']['output']>;
  /** Id of the reading that fired it; null for NO_DATA. */
  eventId: Maybe<Scalars['ID']['output']>;
  /** A latched rule's episode whose condition cleared: when it did, the episode LATCHED at the end of the range (waiting for an acknowledgement, which a replay has nobody to give); null otherwise. */
  latchedAt: Maybe<Scalars['AWSDateTime']['output']>;
  /** The most extreme value evaluated while it was open, on the breaching side. */
  peak: Scalars['Float']['output'];
  /** Readings evaluated while it was open whose value breached the threshold. */
  readingsBreached: Scalars['Int']['output'];
  reason: BacktestEpisodeReason;
  /** Event time of the reading that fired it (NO_DATA: when the silence reached noDataSeconds). */
  startedAt: Scalars['AWSDateTime']['output'];
  /** The value that fired it: the reading's, or the window's aggregate for window rules. */
  value: Scalars['Float']['output'];
};

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
  deviceId?: InputMaybe<Scalars['ID']['input']>;
  /** The readings replayed are those from `from` to `to`, inclusive; from must be before to. */
  from: Scalars['AWSDateTime']['input'];
  /** The draft rule, as createRule takes it; validated as createRule validates it. */
  rule: CreateRuleInput;
  to: Scalars['AWSDateTime']['input'];
};

export type BacktestResult = {
  __typename?: 'BacktestResult';
  /** Each device replayed, by device id, with its readings and episodes. */
  devices: Array<BacktestDeviceCount>;
  /** How many episodes fired in all, listed or not. */
  episodeCount: Scalars['Int']['output'];
  /** The episodes, oldest first: at most 1,000 (episodesTruncated tells when more fired). */
  episodes: Array<BacktestEpisode>;
  episodesTruncated: Scalars['Boolean']['output'];
  from: Scalars['AWSDateTime']['output'];
  /** What of the draft the backtest does not replay as live evaluation would, one sentence each. */
  notes: Array<Scalars['String']['output']>;
  /** Readings of the rule's metric replayed, over all devices. */
  readingsReplayed: Scalars['Int']['output'];
  to: Scalars['AWSDateTime']['output'];
};

/** Devices the credential may send readings for: listed ids, ids with a prefix, or both. */
export type CreateDeviceCredentialInput = {
  deviceIdPrefix?: InputMaybe<Scalars['String']['input']>;
  deviceIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  name: Scalars['String']['input'];
};

export type CreateRuleInput = {
  /** How the window is combined (default AVG); needs windowSeconds. */
  aggregation?: InputMaybe<Aggregation>;
  /** Hysteresis: once firing, resolve only when the value crosses this level (default: the threshold). */
  clearThreshold?: InputMaybe<Scalars['Float']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  /** One device. With neither deviceId nor selector, every device. */
  deviceId?: InputMaybe<Scalars['ID']['input']>;
  /** Defaults to true. */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** Detect flapping: an alert that keeps firing and resolving is notified when it starts and stops flapping, not at every change (default true). */
  flapDetection?: InputMaybe<Scalars['Boolean']['input']>;
  /** Flapping starts when the weighted percent state change of the last 21 readings reaches this (above 0, at most 100; default 50). */
  flapHighPercent?: InputMaybe<Scalars['Float']['input']>;
  /** Flapping stops when the percent state change falls below this (above 0, below flapHighPercent; default 25). */
  flapLowPercent?: InputMaybe<Scalars['Float']['input']>;
  /** Fire only after this many consecutive breaching readings (default 1). */
  forReadings?: InputMaybe<Scalars['Int']['input']>;
  /** E-mail grouping: label keys whose values (the alert's labels) split the rule's e-mails into groups, each sent as one message; at most 8 (default none: one group for the rule). */
  groupBy?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Least seconds between two e-mails of one group while it receives more, 0 to 86400 (default: the deployment's GROUP_INTERVAL_SECONDS, 300). */
  groupIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** Seconds the first notification into an empty group waits for more before the group is e-mailed, 0 to 3600 (default: the deployment's GROUP_WAIT_SECONDS, 30). */
  groupWaitSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** Latch: an alert whose condition cleared stays LATCHED until someone acknowledges it, then resolves (IoT Events' acknowledge flow; default false). */
  latch?: InputMaybe<Scalars['Boolean']['input']>;
  metric: Scalars['String']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  /** Fire a NO_DATA alert when a device that reported the metric has sent nothing for this long. */
  noDataSeconds?: InputMaybe<Scalars['Int']['input']>;
  operator: Operator;
  /** While firing, notify again every this many seconds (default: never). */
  repeatIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** The devices whose labels match all these matchers; not with deviceId. */
  selector?: InputMaybe<Array<LabelMatcherInput>>;
  /** Defaults to WARNING. */
  severity?: InputMaybe<Severity>;
  threshold: Scalars['Float']['input'];
  /** Compare the aggregate of the trailing window of this many seconds, not the single reading. */
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type CreateSilenceInput = {
  /** Why: what a colleague reads in the list (at most 1,000 characters). */
  comment: Scalars['String']['input'];
  /** After startsAt and in the future. */
  endsAt: Scalars['AWSDateTime']['input'];
  matchers: AlertMatchersInput;
  /** Send the resolution of an alert that resolved while silenced, when the silence ends (default true). */
  notifyResolved?: InputMaybe<Scalars['Boolean']['input']>;
  /** Defaults to now. */
  startsAt?: InputMaybe<Scalars['AWSDateTime']['input']>;
};

/** A new device credential and its token: the token is shown here once and stored only as a hash. */
export type CreatedDeviceCredential = {
  __typename?: 'CreatedDeviceCredential';
  credential: DeviceCredential;
  /** What the device sends as its Authorization header; keep it secret. */
  token: Scalars['String']['output'];
};

export type DeleteDeviceResult = {
  __typename?: 'DeleteDeviceResult';
  deleted: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
};

export type DeleteMaintenanceWindowResult = {
  __typename?: 'DeleteMaintenanceWindowResult';
  deleted: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
};

export type DeleteRuleResult = {
  __typename?: 'DeleteRuleResult';
  deleted: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
};

/** A device of the fleet: it enters the inventory with its first stored reading. */
export type Device = {
  __typename?: 'Device';
  firstSeenAt: Scalars['AWSDateTime']['output'];
  id: Scalars['ID']['output'];
  labels: Array<Label>;
  /** When a reading of the device was last stored (kept to the minute: see docs/api.md). */
  lastSeenAt: Scalars['AWSDateTime']['output'];
  /** The latest value of each metric, by metric name. */
  latest: Array<MetricValue>;
  name: Maybe<Scalars['String']['output']>;
  /** Alerts of the device firing now. */
  openAlerts: Scalars['Int']['output'];
  /** The worst severity among them; null when none fires. */
  worstSeverity: Maybe<Severity>;
};

export type DeviceConnection = {
  __typename?: 'DeviceConnection';
  items: Array<Device>;
  nextToken: Maybe<Scalars['String']['output']>;
};

/** A device credential: what one device or gateway holds to send readings. Its secret is never shown again. */
export type DeviceCredential = {
  __typename?: 'DeviceCredential';
  createdAt: Scalars['AWSDateTime']['output'];
  createdBy: Scalars['String']['output'];
  /** It also covers every device id that starts with this prefix. */
  deviceIdPrefix: Maybe<Scalars['String']['output']>;
  /** The device ids the credential covers, exactly. */
  deviceIds: Array<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  /** When a request last used it (updated at most once a minute). */
  lastUsedAt: Maybe<Scalars['AWSDateTime']['output']>;
  name: Scalars['String']['output'];
  /** Set once revoked; a revoked credential stops working within the authorizer's cache time. */
  revokedAt: Maybe<Scalars['AWSDateTime']['output']>;
  revokedBy: Maybe<Scalars['String']['output']>;
};

export type DeviceCredentialConnection = {
  __typename?: 'DeviceCredentialConnection';
  items: Array<DeviceCredential>;
  nextToken: Maybe<Scalars['String']['output']>;
};

/** Which devices to list: all label matchers must hold, and the search must occur in the id or name. */
export type DeviceFilter = {
  labels?: InputMaybe<Array<LabelMatcherInput>>;
  search?: InputMaybe<Scalars['String']['input']>;
};

export type Event = {
  __typename?: 'Event';
  deviceId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  metric: Scalars['String']['output'];
  timestamp: Scalars['AWSDateTime']['output'];
  value: Scalars['Float']['output'];
};

export type EventConnection = {
  __typename?: 'EventConnection';
  items: Array<Event>;
  nextToken: Maybe<Scalars['String']['output']>;
};

/** One telemetry reading sent by a device. */
export type EventInput = {
  deviceId: Scalars['ID']['input'];
  /** Client-chosen id; the same id and timestamp sent again for the same device is stored once. */
  id?: InputMaybe<Scalars['ID']['input']>;
  metric: Scalars['String']['input'];
  /** Defaults to the time the API received the reading. */
  timestamp?: InputMaybe<Scalars['AWSDateTime']['input']>;
  value: Scalars['Float']['input'];
};

/** What became of one alarm model. In a dry run, what would become of it. */
export type ImportOutcome =
  /** A new rule was made from the model. */
  | 'CREATED'
  /** No rule was made or changed; reasons say why and what to change. */
  | 'REFUSED'
  /** The model's rule existed and already matched the model: nothing was written. */
  | 'UNCHANGED'
  /** The model's rule existed (an earlier import) and was changed to match the model. */
  | 'UPDATED';

/** The outcome of importAlarmModels, model by model. */
export type ImportReport = {
  __typename?: 'ImportReport';
  created: Scalars['Int']['output'];
  /** True when nothing was written: the outcomes are what an import would do. */
  dryRun: Scalars['Boolean']['output'];
  models: Array<ImportedModel>;
  refused: Scalars['Int']['output'];
  unchanged: Scalars['Int']['output'];
  updated: Scalars['Int']['output'];
  /** Said of the import as a whole: a metric or severity mapping that applied to no model (most often misspelt). */
  warnings: Array<Scalars['String']['output']>;
};

/** An action or notification of an alarm model that no rule can carry: set it up here as `instead` says. */
export type ImportToConfigure = {
  __typename?: 'ImportToConfigure';
  /** How to get the same here (usually an SNS subscription to the alerts topic with a filter policy on the alert's attributes). */
  instead: Scalars['String']['output'];
  /** What the model had, e.g. SNS, Lambda, SQS, Firehose, IoT topic, e-mail, SMS. */
  kind: Scalars['String']['output'];
  /** Where it went in IoT Events: an ARN, topic, queue, stream or recipients. */
  target: Maybe<Scalars['String']['output']>;
};

/** One alarm model of an import. */
export type ImportedModel = {
  __typename?: 'ImportedModel';
  /** Fields of the model that were not used, by path: unknown ones and those with no meaning here. */
  ignored: Array<Scalars['String']['output']>;
  /** Its position in the list given, from 0. */
  index: Scalars['Int']['output'];
  /** Its alarmModelName; null when it had none. */
  name: Maybe<Scalars['String']['output']>;
  /** What the mapping chose that a person should know (the metric, the devices watched, the severity, latching). */
  notes: Array<Scalars['String']['output']>;
  outcome: ImportOutcome;
  /** Why it was refused, one line each, saying what to change. */
  reasons: Array<Scalars['String']['output']>;
  /** The rule made or changed (iot-events:<name>); null when refused. */
  ruleId: Maybe<Scalars['ID']['output']>;
  /** Its notifications and actions, to set up here another way. */
  toConfigure: Array<ImportToConfigure>;
  /** Its alarmModelVersion; null when it had none. */
  version: Maybe<Scalars['String']['output']>;
};

export type IngestError = {
  __typename?: 'IngestError';
  errorType: Scalars['String']['output'];
  message: Scalars['String']['output'];
};

export type IngestEventsResult = {
  __typename?: 'IngestEventsResult';
  accepted: Scalars['Int']['output'];
  rejected: Scalars['Int']['output'];
  results: Array<IngestResult>;
};

/** Outcome of one reading in an `ingestEvents` batch, in input order. */
export type IngestResult = {
  __typename?: 'IngestResult';
  /** Set when the reading was refused; nothing was stored for it. */
  error: Maybe<IngestError>;
  /** Set when the reading was accepted. */
  event: Maybe<Event>;
  index: Scalars['Int']['output'];
};

/** A device's label: a key and a value, as in site=berlin or model=b200. */
export type Label = {
  __typename?: 'Label';
  key: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

export type LabelInput = {
  key: Scalars['String']['input'];
  value: Scalars['String']['input'];
};

/** One condition on a device's labels; a selector holds when all its matchers do. */
export type LabelMatcher = {
  __typename?: 'LabelMatcher';
  key: Scalars['String']['output'];
  operator: LabelOperator;
  /** One value for EQ and NEQ, one or more for IN and NOT_IN, none for EXISTS and NOT_EXISTS. */
  values: Array<Scalars['String']['output']>;
};

export type LabelMatcherInput = {
  key: Scalars['String']['input'];
  operator: LabelOperator;
  values?: InputMaybe<Array<Scalars['String']['input']>>;
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

/** A recurring mute: matching alerts' e-mails are held during its weekly periods, in its time zone. */
export type MaintenanceWindow = {
  __typename?: 'MaintenanceWindow';
  /** True while one of its periods is on: it mutes now. */
  active: Scalars['Boolean']['output'];
  createdAt: Scalars['AWSDateTime']['output'];
  createdBy: Scalars['String']['output'];
  endsOn: Maybe<Scalars['AWSDate']['output']>;
  id: Scalars['ID']['output'];
  matchers: AlertMatchers;
  name: Scalars['String']['output'];
  notifyResolved: Scalars['Boolean']['output'];
  periods: Array<WeeklyPeriod>;
  startsOn: Maybe<Scalars['AWSDate']['output']>;
  timeZone: Scalars['String']['output'];
  updatedAt: Scalars['AWSDateTime']['output'];
  updatedBy: Maybe<Scalars['String']['output']>;
};

export type MaintenanceWindowConnection = {
  __typename?: 'MaintenanceWindowConnection';
  items: Array<MaintenanceWindow>;
  nextToken: Maybe<Scalars['String']['output']>;
};

export type MaintenanceWindowInput = {
  /** The last day the window applies (in its time zone); absent: without end. */
  endsOn?: InputMaybe<Scalars['AWSDate']['input']>;
  matchers: AlertMatchersInput;
  name: Scalars['String']['input'];
  /** Send the resolution of an alert that resolved while muted, when the period ends (default true). */
  notifyResolved?: InputMaybe<Scalars['Boolean']['input']>;
  periods: Array<WeeklyPeriodInput>;
  /** The first day the window applies (in its time zone); absent: from now on. */
  startsOn?: InputMaybe<Scalars['AWSDate']['input']>;
  /** An IANA time zone, e.g. Europe/Berlin or America/New_York; the periods and dates are in it. */
  timeZone: Scalars['String']['input'];
};

/** An IoT Events input property's metric here: readings of `metric` are what the rule compares. */
export type MetricMappingInput = {
  /** The model's alarmRule.simpleRule.inputProperty, as written there, e.g. $input.Boiler.sensors.temp. */
  inputProperty: Scalars['String']['input'];
  metric: Scalars['String']['input'];
};

/** The latest value a device sent for one metric. */
export type MetricValue = {
  __typename?: 'MetricValue';
  metric: Scalars['String']['output'];
  timestamp: Scalars['AWSDateTime']['output'];
  value: Scalars['Float']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Records that the caller is handling the alert: a firing one becomes ACKNOWLEDGED, a LATCHED
   * one RESOLVED. The first acknowledgement is kept.
   */
  acknowledgeAlert: Alert;
  /** Issues a device credential; its token is in the answer and nowhere else. */
  createDeviceCredential: CreatedDeviceCredential;
  createMaintenanceWindow: MaintenanceWindow;
  createRule: Rule;
  /** Mutes the matching alerts' e-mails from startsAt to endsAt. */
  createSilence: Silence;
  /** Removes a device from the inventory; its readings stay. A new reading brings it back. */
  deleteDevice: DeleteDeviceResult;
  /** Deletes a maintenance window; alerts it held are released at once. */
  deleteMaintenanceWindow: DeleteMaintenanceWindowResult;
  /** Deletes a rule; its open alerts are resolved. */
  deleteRule: DeleteRuleResult;
  /** Ends a silence now; held alerts are released at once. An expired silence stays as it was. */
  expireSilence: Silence;
  /** Makes or updates one rule per AWS IoT Events alarm model (one model, a list, or { alarmModels: [...] }, at most 1,000), as describe-alarm-model prints them; a dry run writes nothing (docs/iot-events.md). */
  importAlarmModels: ImportReport;
  /** One reading. A device credential may send readings only for the devices it covers. */
  ingestEvent: Event;
  /** Up to 1,000 readings; each is accepted or refused on its own. */
  ingestEvents: IngestEventsResult;
  /** Pushes an alert to `onAlert` subscribers. Called by the evaluation worker only. */
  publishAlert: Maybe<Alert>;
  /**
   * Returns an open alert's episode to normal: the alert resolves now (its resolution says who
   * reset it) and the next breaching reading fires a new one.
   */
  resetAlert: Alert;
  /** Revokes a device credential; it stops working within the authorizer's cache time (300 s). */
  revokeDeviceCredential: DeviceCredential;
  /** Enables or disables a rule; disabling resolves its open alerts. */
  setRuleEnabled: Rule;
  /**
   * Mutes one open alert's e-mails for `seconds` (60 to 604,800, i.e. a minute to 7 days): a
   * silence of its rule and device, which the answer's silenceId names.
   */
  snoozeAlert: Alert;
  /** Names and labels a device; a label change applies to rules within their refresh time. */
  updateDevice: Device;
  /** Replaces a maintenance window's definition. */
  updateMaintenanceWindow: MaintenanceWindow;
  updateRule: Rule;
};


export type MutationAcknowledgeAlertArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateDeviceCredentialArgs = {
  input: CreateDeviceCredentialInput;
};


export type MutationCreateMaintenanceWindowArgs = {
  input: MaintenanceWindowInput;
};


export type MutationCreateRuleArgs = {
  input: CreateRuleInput;
};


export type MutationCreateSilenceArgs = {
  input: CreateSilenceInput;
};


export type MutationDeleteDeviceArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteMaintenanceWindowArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteRuleArgs = {
  id: Scalars['ID']['input'];
};


export type MutationExpireSilenceArgs = {
  id: Scalars['ID']['input'];
};


export type MutationImportAlarmModelsArgs = {
  dryRun: InputMaybe<Scalars['Boolean']['input']>;
  metrics: InputMaybe<Array<MetricMappingInput>>;
  models: Scalars['AWSJSON']['input'];
  severities: InputMaybe<Array<SeverityMappingInput>>;
};


export type MutationIngestEventArgs = {
  input: EventInput;
};


export type MutationIngestEventsArgs = {
  input: Array<EventInput>;
};


export type MutationPublishAlertArgs = {
  input: AlertInput;
};


export type MutationResetAlertArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRevokeDeviceCredentialArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSetRuleEnabledArgs = {
  enabled: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


export type MutationSnoozeAlertArgs = {
  id: Scalars['ID']['input'];
  seconds: Scalars['Int']['input'];
};


export type MutationUpdateDeviceArgs = {
  id: Scalars['ID']['input'];
  input: UpdateDeviceInput;
};


export type MutationUpdateMaintenanceWindowArgs = {
  id: Scalars['ID']['input'];
  input: MaintenanceWindowInput;
};


export type MutationUpdateRuleArgs = {
  id: Scalars['ID']['input'];
  input: UpdateRuleInput;
};

/** Comparison between a reading's value and a rule's threshold. */
export type Operator =
  | 'EQ'
  | 'GT'
  | 'GTE'
  | 'LT'
  | 'LTE'
  | 'NEQ';

export type Query = {
  __typename?: 'Query';
  /** Open alerts (FIRING, ACKNOWLEDGED, LATCHED), newest first; with deviceId, that device's. */
  activeAlerts: AlertConnection;
  /** Recorded alerts, newest first, by device, rule or status. */
  alerts: AlertConnection;
  /** Replays a draft rule over the stored readings of a range and returns the episodes it would have fired; writes nothing. At most 1,000,000 readings and 25 s per call (docs/backtest.md). */
  backtestRule: BacktestResult;
  device: Maybe<Device>;
  /** Device credentials, newest first, without their secrets. */
  deviceCredentials: DeviceCredentialConnection;
  /** The fleet, by device id. */
  devices: DeviceConnection;
  /** A device's readings, newest first. */
  events: EventConnection;
  maintenanceWindow: Maybe<MaintenanceWindow>;
  /** Maintenance windows, newest first. */
  maintenanceWindows: MaintenanceWindowConnection;
  rule: Maybe<Rule>;
  /** Alert rules, newest first; with deviceId, the rules written for that device. */
  rules: RuleConnection;
  silence: Maybe<Silence>;
  /** Silences, newest first; with state, only those in it now. */
  silences: SilenceConnection;
  /** The queues, the flow of readings and the evaluation lag over the last `minutes` (default 15, at most 60). */
  systemStatus: SystemStatus;
};


export type QueryActiveAlertsArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
};


export type QueryAlertsArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
  from: InputMaybe<Scalars['AWSDateTime']['input']>;
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
  ruleId: InputMaybe<Scalars['ID']['input']>;
  status: InputMaybe<AlertStatus>;
  to: InputMaybe<Scalars['AWSDateTime']['input']>;
};


export type QueryBacktestRuleArgs = {
  input: BacktestInput;
};


export type QueryDeviceArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDeviceCredentialsArgs = {
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
};


export type QueryDevicesArgs = {
  filter: InputMaybe<DeviceFilter>;
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
};


export type QueryEventsArgs = {
  deviceId: Scalars['ID']['input'];
  from: InputMaybe<Scalars['AWSDateTime']['input']>;
  limit: InputMaybe<Scalars['Int']['input']>;
  metric: InputMaybe<Scalars['String']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
  to: InputMaybe<Scalars['AWSDateTime']['input']>;
};


export type QueryMaintenanceWindowArgs = {
  id: Scalars['ID']['input'];
};


export type QueryMaintenanceWindowsArgs = {
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
};


export type QueryRuleArgs = {
  id: Scalars['ID']['input'];
};


export type QueryRulesArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
};


export type QuerySilenceArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySilencesArgs = {
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
  state: InputMaybe<SilenceState>;
};


export type QuerySystemStatusArgs = {
  minutes: InputMaybe<Scalars['Int']['input']>;
};

export type Rule = {
  __typename?: 'Rule';
  aggregation: Maybe<Aggregation>;
  clearThreshold: Maybe<Scalars['Float']['output']>;
  createdAt: Scalars['AWSDateTime']['output'];
  /** Who created the rule: the signed-in user's e-mail or username. */
  createdBy: Maybe<Scalars['String']['output']>;
  description: Maybe<Scalars['String']['output']>;
  /** The one device the rule watches; null for a selector rule or a rule for every device. */
  deviceId: Maybe<Scalars['ID']['output']>;
  enabled: Scalars['Boolean']['output'];
  /** Whether the rule's alerts are watched for flapping. */
  flapDetection: Scalars['Boolean']['output'];
  /** The percent state change at which flapping starts. */
  flapHighPercent: Scalars['Float']['output'];
  /** The percent state change below which flapping stops. */
  flapLowPercent: Scalars['Float']['output'];
  forReadings: Scalars['Int']['output'];
  /** The label keys the rule's e-mails are grouped by; null: one group for the rule. */
  groupBy: Maybe<Array<Scalars['String']['output']>>;
  /** Null: the deployment's default (GROUP_INTERVAL_SECONDS). */
  groupIntervalSeconds: Maybe<Scalars['Int']['output']>;
  /** Null: the deployment's default (GROUP_WAIT_SECONDS). */
  groupWaitSeconds: Maybe<Scalars['Int']['output']>;
  id: Scalars['ID']['output'];
  /** Whether an alert whose condition cleared waits for an acknowledgement before it resolves. */
  latch: Scalars['Boolean']['output'];
  metric: Scalars['String']['output'];
  name: Maybe<Scalars['String']['output']>;
  noDataSeconds: Maybe<Scalars['Int']['output']>;
  operator: Operator;
  repeatIntervalSeconds: Maybe<Scalars['Int']['output']>;
  /** The devices whose labels match all these matchers; null when the rule does not select by label. */
  selector: Maybe<Array<LabelMatcher>>;
  severity: Severity;
  /** Where the rule came from when it was imported (an IoT Events alarm model); null for a rule made here. */
  source: Maybe<RuleSource>;
  threshold: Scalars['Float']['output'];
  updatedAt: Scalars['AWSDateTime']['output'];
  /** Who changed the rule last. */
  updatedBy: Maybe<Scalars['String']['output']>;
  windowSeconds: Maybe<Scalars['Int']['output']>;
};

export type RuleConnection = {
  __typename?: 'RuleConnection';
  items: Array<Rule>;
  nextToken: Maybe<Scalars['String']['output']>;
};

/** The model an imported rule was made from; a new import of that model updates the rule. */
export type RuleSource = {
  __typename?: 'RuleSource';
  kind: RuleSourceKind;
  /** The model's name (an IoT Events alarmModelName). */
  name: Scalars['String']['output'];
  /** The model's version when it was last imported (alarmModelVersion); null when the model had none. */
  version: Maybe<Scalars['String']['output']>;
};

/** What an imported rule was made from. */
export type RuleSourceKind =
  /** An AWS IoT Events alarm model (importAlarmModels, npm run import-iot-events). */
  | 'IOT_EVENTS';

export type Severity =
  | 'CRITICAL'
  | 'INFO'
  | 'WARNING';

/** An IoT Events severity number's level here, overriding the default mapping (0-1 CRITICAL, 2 WARNING, 3 and above INFO). */
export type SeverityMappingInput = {
  level: Severity;
  /** A non-negative integer, as alarm models have it. */
  severity: Scalars['Int']['input'];
};

/**
 * A silence: from startsAt to endsAt the matching alerts are recorded and pushed to onAlert, but
 * their e-mails are held; when it ends, one notification tells what is still firing.
 */
export type Silence = {
  __typename?: 'Silence';
  comment: Scalars['String']['output'];
  createdAt: Scalars['AWSDateTime']['output'];
  /** Who created it: the signed-in user's e-mail or username. */
  createdBy: Scalars['String']['output'];
  endsAt: Scalars['AWSDateTime']['output'];
  /** When it was expired by hand (its endsAt is then that time). */
  expiredAt: Maybe<Scalars['AWSDateTime']['output']>;
  expiredBy: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  matchers: AlertMatchers;
  notifyResolved: Scalars['Boolean']['output'];
  startsAt: Scalars['AWSDateTime']['output'];
  state: SilenceState;
};

export type SilenceConnection = {
  __typename?: 'SilenceConnection';
  items: Array<Silence>;
  nextToken: Maybe<Scalars['String']['output']>;
};

/** PENDING before its start, ACTIVE from its start until its end, EXPIRED after (or once expired by hand). */
export type SilenceState =
  | 'ACTIVE'
  | 'EXPIRED'
  | 'PENDING';

export type Subscription = {
  __typename?: 'Subscription';
  /** Alerts as they fire, repeat, resolve or are acknowledged; filtered by device and severity when given. */
  onAlert: Maybe<Alert>;
};


export type SubscriptionOnAlertArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
  severity: InputMaybe<Severity>;
};

/**
 * How the system is doing: the evaluation queue and its dead-letter queue (read now), and over
 * the last minutes the flow of readings, how far behind evaluation is and the age of the oldest
 * queued message, as time series oldest first with a point per period that has data.
 */
export type SystemStatus = {
  __typename?: 'SystemStatus';
  /** Messages in the dead-letter queue: readings and work the worker gave up on. */
  deadLetterDepth: Scalars['Int']['output'];
  /** Evaluation lag (a reading's arrival in the queue to its evaluation), median, in milliseconds. */
  evaluationLagP50: Array<TimePoint>;
  /** Evaluation lag, 99th percentile, in milliseconds. */
  evaluationLagP99: Array<TimePoint>;
  /** Age of the oldest message in the evaluation queue, in seconds, the highest in each period. */
  oldestMessageAge: Array<TimePoint>;
  /** Age of the oldest message in the evaluation queue, in seconds, at its latest point; null when there is none in the window. */
  oldestMessageAgeSeconds: Maybe<Scalars['Float']['output']>;
  /** The length of each series' period, in seconds. */
  periodSeconds: Scalars['Int']['output'];
  /** Messages in the evaluation queue: waiting, plus being evaluated. */
  queueDepth: Scalars['Int']['output'];
  /** Of those, the ones a worker has taken and not yet finished (in flight). */
  queueInFlight: Scalars['Int']['output'];
  /** When the queues were read. */
  readAt: Scalars['AWSDateTime']['output'];
  /** Readings ingest accepted, per second, averaged over each period. */
  readingsAccepted: Array<TimePoint>;
  /** Readings the worker stored and evaluated, per second, averaged over each period. */
  readingsEvaluated: Array<TimePoint>;
};

/** One point of a time series: the value over the period that starts at `at`. */
export type TimePoint = {
  __typename?: 'TimePoint';
  at: Scalars['AWSDateTime']['output'];
  value: Scalars['Float']['output'];
};

/** Absent fields keep their value; labels, when given, replace the device's labels. */
export type UpdateDeviceInput = {
  labels?: InputMaybe<Array<LabelInput>>;
  name?: InputMaybe<Scalars['String']['input']>;
};

/** Absent fields keep their value; an explicit null resets an option to its default. */
export type UpdateRuleInput = {
  aggregation?: InputMaybe<Aggregation>;
  clearThreshold?: InputMaybe<Scalars['Float']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  flapDetection?: InputMaybe<Scalars['Boolean']['input']>;
  flapHighPercent?: InputMaybe<Scalars['Float']['input']>;
  flapLowPercent?: InputMaybe<Scalars['Float']['input']>;
  forReadings?: InputMaybe<Scalars['Int']['input']>;
  groupBy?: InputMaybe<Array<Scalars['String']['input']>>;
  groupIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  groupWaitSeconds?: InputMaybe<Scalars['Int']['input']>;
  latch?: InputMaybe<Scalars['Boolean']['input']>;
  metric?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  noDataSeconds?: InputMaybe<Scalars['Int']['input']>;
  operator?: InputMaybe<Operator>;
  repeatIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** A new selector (the rule keeps its deviceId, so only a selector rule takes one); null: none. */
  selector?: InputMaybe<Array<LabelMatcherInput>>;
  severity?: InputMaybe<Severity>;
  threshold?: InputMaybe<Scalars['Float']['input']>;
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type Weekday =
  | 'FRIDAY'
  | 'MONDAY'
  | 'SATURDAY'
  | 'SUNDAY'
  | 'THURSDAY'
  | 'TUESDAY'
  | 'WEDNESDAY';

export type WeeklyPeriod = {
  __typename?: 'WeeklyPeriod';
  days: Array<Weekday>;
  end: Scalars['String']['output'];
  start: Scalars['String']['output'];
};

/**
 * A weekly period in the window's time zone: on each of `days`, from `start` to `end` ("HH:MM",
 * 24-hour). `end` may be "24:00"; an end at or before the start runs past midnight into the next day.
 */
export type WeeklyPeriodInput = {
  days: Array<Weekday>;
  end: Scalars['String']['input'];
  start: Scalars['String']['input'];
};
