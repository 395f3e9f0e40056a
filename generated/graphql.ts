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

export type Alert = {
  __typename?: 'Alert';
  deviceId: Scalars['ID']['output'];
  /** Id of the reading that fired the rule. */
  eventId: Maybe<Scalars['ID']['output']>;
  /** Time of the reading that fired the rule. */
  eventTimestamp: Maybe<Scalars['AWSDateTime']['output']>;
  firedAt: Scalars['AWSDateTime']['output'];
  id: Scalars['ID']['output'];
  metric: Scalars['String']['output'];
  operator: Operator;
  ruleId: Scalars['ID']['output'];
  ruleName: Maybe<Scalars['String']['output']>;
  severity: Severity;
  threshold: Scalars['Float']['output'];
  value: Scalars['Float']['output'];
};

export type AlertConnection = {
  __typename?: 'AlertConnection';
  items: Array<Alert>;
  nextToken: Maybe<Scalars['String']['output']>;
};

export type AlertInput = {
  deviceId: Scalars['ID']['input'];
  eventId?: InputMaybe<Scalars['ID']['input']>;
  eventTimestamp?: InputMaybe<Scalars['AWSDateTime']['input']>;
  firedAt: Scalars['AWSDateTime']['input'];
  id: Scalars['ID']['input'];
  metric: Scalars['String']['input'];
  operator: Operator;
  ruleId: Scalars['ID']['input'];
  ruleName?: InputMaybe<Scalars['String']['input']>;
  severity: Severity;
  threshold: Scalars['Float']['input'];
  value: Scalars['Float']['input'];
};

export type CreateRuleInput = {
  /** Absent means every device. */
  deviceId?: InputMaybe<Scalars['ID']['input']>;
  /** Defaults to true. */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  metric: Scalars['String']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  operator: Operator;
  /** Defaults to WARNING. */
  severity?: InputMaybe<Severity>;
  threshold: Scalars['Float']['input'];
};

export type DeleteRuleResult = {
  __typename?: 'DeleteRuleResult';
  deleted: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
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
  /** Client-chosen id; a retry with the same id for the same device is stored once. */
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
  createRule: Rule;
  deleteRule: DeleteRuleResult;
  ingestEvent: Event;
  /** Up to 1,000 readings; each is accepted or refused on its own. */
  ingestEvents: IngestEventsResult;
  /** Pushes an alert to `onAlert` subscribers. Called by the evaluation worker only. */
  publishAlert: Maybe<Alert>;
  updateRule: Rule;
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
  /** Recorded alerts, newest first; filter by device or by rule, not both. */
  alerts: AlertConnection;
  /** A device's readings, newest first. */
  events: EventConnection;
  rule: Maybe<Rule>;
  /** Alert rules, newest first; with deviceId, the rules written for that device. */
  rules: RuleConnection;
};


export type QueryAlertsArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
  from: InputMaybe<Scalars['AWSDateTime']['input']>;
  limit: InputMaybe<Scalars['Int']['input']>;
  nextToken: InputMaybe<Scalars['String']['input']>;
  ruleId: InputMaybe<Scalars['ID']['input']>;
  to: InputMaybe<Scalars['AWSDateTime']['input']>;
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
  createdAt: Scalars['AWSDateTime']['output'];
  /** Null means every device. */
  deviceId: Maybe<Scalars['ID']['output']>;
  enabled: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  metric: Scalars['String']['output'];
  name: Maybe<Scalars['String']['output']>;
  operator: Operator;
  severity: Severity;
  threshold: Scalars['Float']['output'];
  updatedAt: Scalars['AWSDateTime']['output'];
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
  /** Alerts as they fire; with deviceId, only that device's. */
  onAlert: Maybe<Alert>;
};


export type SubscriptionOnAlertArgs = {
  deviceId: InputMaybe<Scalars['ID']['input']>;
};

export type UpdateRuleInput = {
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  metric?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  operator?: InputMaybe<Operator>;
  severity?: InputMaybe<Severity>;
  threshold?: InputMaybe<Scalars['Float']['input']>;
};
