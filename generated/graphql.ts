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
  id: Scalars['ID']['output'];
  metric: Scalars['String']['output'];
  /** When people were last notified of this alert (firing, a repeat, or its resolution). */
  notifiedAt: Maybe<Scalars['AWSDateTime']['output']>;
  operator: Operator;
  reason: AlertReason;
  resolvedAt: Maybe<Scalars['AWSDateTime']['output']>;
  ruleId: Scalars['ID']['output'];
  ruleName: Maybe<Scalars['String']['output']>;
  severity: Severity;
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
  id: Scalars['ID']['input'];
  metric: Scalars['String']['input'];
  notifiedAt?: InputMaybe<Scalars['AWSDateTime']['input']>;
  operator: Operator;
  reason: AlertReason;
  resolvedAt?: InputMaybe<Scalars['AWSDateTime']['input']>;
  ruleId: Scalars['ID']['input'];
  ruleName?: InputMaybe<Scalars['String']['input']>;
  severity: Severity;
  status: AlertStatus;
  threshold: Scalars['Float']['input'];
  value: Scalars['Float']['input'];
};

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
  /** Absent means every device. */
  deviceId?: InputMaybe<Scalars['ID']['input']>;
  /** Defaults to true. */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** Fire only after this many consecutive breaching readings (default 1). */
  forReadings?: InputMaybe<Scalars['Int']['input']>;
  metric: Scalars['String']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  /** Fire a NO_DATA alert when a device that reported the metric has sent nothing for this long. */
  noDataSeconds?: InputMaybe<Scalars['Int']['input']>;
  operator: Operator;
  /** While firing, notify again every this many seconds (default: never). */
  repeatIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** Defaults to WARNING. */
  severity?: InputMaybe<Severity>;
  threshold: Scalars['Float']['input'];
  /** Compare the aggregate of the trailing window of this many seconds, not the single reading. */
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};

/** A new device credential and its token: the token is shown here once and stored only as a hash. */
export type CreatedDeviceCredential = {
  __typename?: 'CreatedDeviceCredential';
  credential: DeviceCredential;
  /** What the device sends as its Authorization header; keep it secret. */
  token: Scalars['String']['output'];
};

export type DeleteRuleResult = {
  __typename?: 'DeleteRuleResult';
  deleted: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
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

export type Mutation = {
  __typename?: 'Mutation';
  /** Records that the caller is handling the alert. */
  acknowledgeAlert: Alert;
  /** Issues a device credential; its token is in the answer and nowhere else. */
  createDeviceCredential: CreatedDeviceCredential;
  createRule: Rule;
  /** Deletes a rule; its open alerts are resolved. */
  deleteRule: DeleteRuleResult;
  /** One reading. A device credential may send readings only for the devices it covers. */
  ingestEvent: Event;
  /** Up to 1,000 readings; each is accepted or refused on its own. */
  ingestEvents: IngestEventsResult;
  /** Pushes an alert to `onAlert` subscribers. Called by the evaluation worker only. */
  publishAlert: Maybe<Alert>;
  /** Revokes a device credential; it stops working within the authorizer's cache time (300 s). */
  revokeDeviceCredential: DeviceCredential;
  /** Enables or disables a rule; disabling resolves its open alerts. */
  setRuleEnabled: Rule;
  updateRule: Rule;
};


export type MutationAcknowledgeAlertArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateDeviceCredentialArgs = {
  input: CreateDeviceCredentialInput;
};


export type MutationCreateRuleArgs = {
  input: CreateRuleInput;
};


export type MutationDeleteRuleArgs = {
  id: Scalars['ID']['input'];
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


export type MutationRevokeDeviceCredentialArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSetRuleEnabledArgs = {
  enabled: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
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
  /** Alerts firing now, newest first; with deviceId, that device's. */
  activeAlerts: AlertConnection;
  /** Recorded alerts, newest first, by device, rule or status. */
  alerts: AlertConnection;
  /** Device credentials, newest first, without their secrets. */
  deviceCredentials: DeviceCredentialConnection;
  /** A device's readings, newest first. */
  events: EventConnection;
  rule: Maybe<Rule>;
  /** Alert rules, newest first; with deviceId, the rules written for that device. */
  rules: RuleConnection;
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


export type QueryDeviceCredentialsArgs = {
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


export type QueryRuleArgs = {
  id: Scalars['ID']['input'];
};


export type QueryRulesArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
};

export type Rule = {
  __typename?: 'Rule';
  aggregation: Maybe<Aggregation>;
  clearThreshold: Maybe<Scalars['Float']['output']>;
  createdAt: Scalars['AWSDateTime']['output'];
  /** Who created the rule: the signed-in user's e-mail or username. */
  createdBy: Maybe<Scalars['String']['output']>;
  description: Maybe<Scalars['String']['output']>;
  /** Null means every device. */
  deviceId: Maybe<Scalars['ID']['output']>;
  enabled: Scalars['Boolean']['output'];
  forReadings: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  metric: Scalars['String']['output'];
  name: Maybe<Scalars['String']['output']>;
  noDataSeconds: Maybe<Scalars['Int']['output']>;
  operator: Operator;
  repeatIntervalSeconds: Maybe<Scalars['Int']['output']>;
  severity: Severity;
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

export type Severity =
  | 'CRITICAL'
  | 'INFO'
  | 'WARNING';

export type Subscription = {
  __typename?: 'Subscription';
  /** Alerts as they fire, repeat, resolve or are acknowledged; filtered by device and severity when given. */
  onAlert: Maybe<Alert>;
};


export type SubscriptionOnAlertArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
  severity: InputMaybe<Severity>;
};

/** Absent fields keep their value; an explicit null resets an option to its default. */
export type UpdateRuleInput = {
  aggregation?: InputMaybe<Aggregation>;
  clearThreshold?: InputMaybe<Scalars['Float']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  forReadings?: InputMaybe<Scalars['Int']['input']>;
  metric?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  noDataSeconds?: InputMaybe<Scalars['Int']['input']>;
  operator?: InputMaybe<Operator>;
  repeatIntervalSeconds?: InputMaybe<Scalars['Int']['input']>;
  severity?: InputMaybe<Severity>;
  threshold?: InputMaybe<Scalars['Float']['input']>;
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};
