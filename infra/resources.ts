/**
 * The system's resources as plain data: the one source both the CDK stack and the local
 * stack build from, so the two cannot drift apart. No AWS or CDK imports here.
 */

export type KeyType = 'S' | 'N';

export interface KeyDefinition {
  name: string;
  type: KeyType;
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyDefinition;
  sortKey: KeyDefinition;
  /**
   * What the index copies of an item: every attribute (the default), or only the keys, so
   * that writes to other attributes never write to the index.
   */
  projection?: 'ALL' | 'KEYS_ONLY';
  /**
   * The attributes besides the keys that the index copies (the projection is then INCLUDE).
   * An index that lists items for people to see leaves out what they must never see.
   */
  nonKeyAttributes?: readonly string[];
}

export interface TableDefinition {
  /** Logical name; CloudFormation names the real table. */
  id:
    | 'ReadingBlocks'
    | 'Rules'
    | 'Alerts'
    | 'Episodes'
    | 'DeviceCredentials'
    | 'Devices'
    | 'Silences'
    | 'NotificationGroups';
  /** Environment variable through which functions receive the table name. */
  envVar: string;
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
  globalSecondaryIndexes: IndexDefinition[];
  /** Attribute holding the expiry time (epoch seconds), when items expire. */
  timeToLiveAttribute?: string;
}

const string = (name: string): KeyDefinition => ({ name, type: 'S' });

export const tables = {
  readingBlocks: {
    // Blocks of readings (domain/reading-blocks.ts), newest-first by their sort key; no index.
    id: 'ReadingBlocks',
    envVar: 'READING_BLOCKS_TABLE',
    partitionKey: string('deviceId'),
    sortKey: string('blockKey'),
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
  rules: {
    // Rules by id. `byScope` and `all` list them newest first; `changes` holds every rule and
    // tombstone by the time of its last write, so workers read only what changed (a deleted
    // rule is a tombstone, kept a day: domain/rule-cache.ts). docs/architecture.md shows
    // why the one partition of `all` and of `changes` cannot become hot.
    id: 'Rules',
    envVar: 'RULES_TABLE',
    partitionKey: string('id'),
    globalSecondaryIndexes: [
      { indexName: 'byScope', partitionKey: string('scope'), sortKey: string('createdKey') },
      { indexName: 'all', partitionKey: string('kind'), sortKey: string('createdKey') },
      { indexName: 'changes', partitionKey: string('changeFeed'), sortKey: string('changedKey') },
    ],
    timeToLiveAttribute: 'expiresAt',
  },
  alerts: {
    // Alerts by id. `all` and `firing` list the whole fleet's alerts: their partition values
    // (`kind`, `firingKind`) are one of 16 shards by the alert's id (`alert#0`..`alert#15`,
    // domain/alert-partitions.ts), so alert writes spread over 16 partitions, and a listing
    // merges the shards. Only the values changed, not the keys: the indexes are as before.
    id: 'Alerts',
    envVar: 'ALERTS_TABLE',
    partitionKey: string('id'),
    globalSecondaryIndexes: [
      { indexName: 'byDevice', partitionKey: string('deviceId'), sortKey: string('firedKey') },
      { indexName: 'byRule', partitionKey: string('ruleId'), sortKey: string('firedKey') },
      { indexName: 'all', partitionKey: string('kind'), sortKey: string('firedKey') },
      // Sparse: only open alerts (FIRING, ACKNOWLEDGED, LATCHED) carry these attributes.
      {
        indexName: 'firingByDevice',
        partitionKey: string('firingDeviceId'),
        sortKey: string('firedKey'),
      },
      { indexName: 'firing', partitionKey: string('firingKind'), sortKey: string('firedKey') },
      // Sparse: alerts whose e-mail a silence or maintenance window holds, by shard
      // (`held#0`..`held#15`) and `<mute id>#<alert id>`; what the release reads.
      {
        indexName: 'held',
        partitionKey: string('heldShard'),
        sortKey: string('heldKey'),
        nonKeyAttributes: ['heldBy', 'heldAt', 'ruleId', 'deviceId'],
      },
    ],
    timeToLiveAttribute: 'expiresAt',
  },
  episodes: {
    // Episodes by rule and device. `open` is sparse: only episodes not at rest (an alert
    // open, breaching readings counted, flapping history, notifications to send) carry its
    // keys, `openShard` (one of 8 by the episode's key) and `openKey` (`<writer's time>#<key>`,
    // stamped when the episode leaves rest and kept until it is back), with `openVersion`, so
    // workers learn which episodes they must read from what changed
    // (domain/open-episodes.ts). Its writes are episodes leaving rest and coming back, over
    // 8 partitions (docs/architecture.md).
    id: 'Episodes',
    envVar: 'EPISODES_TABLE',
    partitionKey: string('ruleId'),
    sortKey: string('deviceId'),
    globalSecondaryIndexes: [
      {
        indexName: 'open',
        partitionKey: string('openShard'),
        sortKey: string('openKey'),
        nonKeyAttributes: ['openVersion'],
      },
    ],
  },
  devices: {
    // The fleet's inventory: one item per device (name, labels, first and last seen, latest
    // value per metric), written by the worker at most once a minute per device
    // (limits.sightingGranularitySeconds). `all` lists the fleet by device id. Its one
    // partition cannot become hot: it holds keys only and its keys (`kind`, `deviceId`) are
    // written once, when a device enters the inventory, and removed when it leaves, so the
    // sightings (at the reference fleet, 10,000 devices, ~170 writes/s) never write to it.
    // Its writes are devices entering or leaving: a partition takes 1,000 writes/s, so even
    // 10,000 devices appearing at once enter in ~10 s (the SDK retries a throttled write, and a
    // device not recorded is recorded by its next batch). Reads are the console's pages: at most
    // 1,000 keys (~10 read units) per call against a partition's 3,000 read units/s.
    // `labelChanges` holds, by the time of the change, every device whose labels a person
    // changed or that was removed (a removed device is a tombstone, kept a day), so a worker
    // holds labels for as long as it likes and re-reads only the devices that changed
    // (domain/device-cache.ts). Its one partition is written by people's label edits and
    // removals only, and read by each worker about once a second (a query of the last
    // seconds, usually empty): it cannot become hot with the fleet's traffic.
    id: 'Devices',
    envVar: 'DEVICES_TABLE',
    partitionKey: string('deviceId'),
    globalSecondaryIndexes: [
      {
        indexName: 'all',
        partitionKey: string('kind'),
        sortKey: string('deviceId'),
        projection: 'KEYS_ONLY',
      },
      {
        indexName: 'labelChanges',
        partitionKey: string('labelFeed'),
        sortKey: string('labelsChangedKey'),
        projection: 'KEYS_ONLY',
      },
    ],
    timeToLiveAttribute: 'expiresAt',
  },
  deviceCredentials: {
    // Device credentials by id, their secrets only as hashes; `all` lists them newest first
    // and copies only what the list shows: never `secretHash`.
    id: 'DeviceCredentials',
    envVar: 'DEVICE_CREDENTIALS_TABLE',
    partitionKey: string('id'),
    globalSecondaryIndexes: [
      {
        indexName: 'all',
        partitionKey: string('kind'),
        sortKey: string('createdKey'),
        nonKeyAttributes: [
          'name',
          'deviceIds',
          'deviceIdPrefix',
          'createdAt',
          'createdBy',
          'lastUsedAt',
          'revokedAt',
          'revokedBy',
        ],
      },
    ],
  },
  silences: {
    // Silences and maintenance windows by id (`kind` tells which). `byKind` lists each kind
    // newest first (a deleted window's tombstone has no `listKind`, so it is not listed);
    // `changes` holds every item and tombstone by the time of its last write, so workers read
    // only what changed (domain/silence-cache.ts), as for rules. An expired silence is kept
    // 7 days, a tombstone a day (TTL). Both one-partition indexes are written by people's
    // silence and window edits only, never by the fleet's traffic.
    id: 'Silences',
    envVar: 'SILENCES_TABLE',
    partitionKey: string('id'),
    globalSecondaryIndexes: [
      { indexName: 'byKind', partitionKey: string('listKind'), sortKey: string('createdKey') },
      { indexName: 'changes', partitionKey: string('changeFeed'), sortKey: string('changedKey') },
    ],
    timeToLiveAttribute: 'expiresAt',
  },
  notificationGroups: {
    // The e-mail channel's groups (domain/notification-groups.ts): per group key (a rule, and
    // the values of its groupBy labels), one `head` item (when the next message is due, the
    // flush lease), one `pending#` item per notification waiting to go out, one `entry#`
    // item per notification ever added (so a retry adds nothing; expired by TTL after a
    // week) and, for a moment after each message, a `sent#` record of what it listed.
    // `due` is sparse: only heads with a message due carry `dueFeed`, so the scheduled check
    // finds overdue groups in one query. Its one partition is written when a group's next
    // message is scheduled or sent (twice per message at most), never per notification.
    id: 'NotificationGroups',
    envVar: 'NOTIFICATION_GROUPS_TABLE',
    partitionKey: string('groupKey'),
    sortKey: string('itemKey'),
    globalSecondaryIndexes: [
      {
        indexName: 'due',
        partitionKey: string('dueFeed'),
        sortKey: { name: 'flushAt', type: 'N' },
        projection: 'KEYS_ONLY',
      },
    ],
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

/**
 * The evaluation queue and its dead-letter queue, as the worker's event source mapping sees
 * them. It carries readings and the work messages of rule and alert changes (domain/ports.ts).
 */
export const evaluationQueue = {
  envVar: 'EVALUATION_QUEUE_URL',
  /** The worker's Lambda timeout; the queue's visibility timeout is six times it, as AWS advises. */
  workerTimeoutSeconds: 30,
  visibilityTimeoutSeconds: 180,
  messageRetentionSeconds: 4 * 24 * 3600,
  receiveWaitTimeSeconds: 20,
  /** Deliveries before a reading that keeps failing moves to the dead-letter queue. */
  maxReceiveCount: 5,
  deadLetterRetentionSeconds: 14 * 24 * 3600,
  /** Event source mapping: records per worker invocation and how long to gather them (0: invoke as soon as records arrive, for the lowest alert latency). */
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  /**
   * Batches the event source mapping works on at once when messages are waiting: Lambda starts
   * with five concurrent invocations (and scales up from there), so the local stack runs five.
   */
  pollers: 5,
} as const;

export const alertsTopic = {
  envVar: 'ALERTS_TOPIC_ARN',
  /**
   * SNS message attributes subscribers can filter on (adapters/sns-alert-notifier.ts): the
   * rule, the worst severity listed, `kind` (String.Array of the notification kinds listed),
   * `labels` (String.Array of the listed alerts' `key=value` labels, at most 100, absent when
   * they have none) and `deviceId` when every alert listed is of one device.
   */
  messageAttributes: ['ruleId', 'severity', 'kind', 'labels', 'deviceId'],
} as const;

/** Lambda resolver modules (files in resolvers/) and the GraphQL fields each one serves. */
export const resolverFunctions = {
  ingest: ['Mutation.ingestEvent', 'Mutation.ingestEvents'],
  rules: [
    'Mutation.createRule',
    'Mutation.updateRule',
    'Mutation.deleteRule',
    'Mutation.setRuleEnabled',
    'Mutation.importAlarmModels',
    'Query.rules',
    'Query.rule',
  ],
  queries: [
    'Query.events',
    'Query.alerts',
    'Query.activeAlerts',
    'Mutation.acknowledgeAlert',
    'Mutation.snoozeAlert',
    'Mutation.resetAlert',
  ],
  devices: ['Query.devices', 'Query.device', 'Mutation.updateDevice', 'Mutation.deleteDevice'],
  credentials: [
    'Mutation.createDeviceCredential',
    'Mutation.revokeDeviceCredential',
    'Query.deviceCredentials',
  ],
  status: ['Query.systemStatus'],
  backtest: ['Query.backtestRule'],
  silences: [
    'Mutation.createSilence',
    'Mutation.expireSilence',
    'Mutation.createMaintenanceWindow',
    'Mutation.updateMaintenanceWindow',
    'Mutation.deleteMaintenanceWindow',
    'Query.silences',
    'Query.silence',
    'Query.maintenanceWindows',
    'Query.maintenanceWindow',
  ],
} as const;

/**
 * The user pool people sign in to, and its groups (the roles of docs/security.md). The CDK
 * stack and the local user pool are both made from this.
 */
export const userPool = {
  /** Groups, most powerful first; a signed-in user in no group is a viewer. */
  groups: {
    admins: 'Everything, including device credentials',
    operators:
      'Read and subscribe; rules; acknowledge, snooze and reset alerts; silences and maintenance windows',
    viewers: 'Read and subscribe',
  },
  /** People sign in with their e-mail address; nobody signs themselves up. */
  signInWithEmail: true,
  selfSignUp: false,
  passwordPolicy: {
    minLength: 12,
    requireLowercase: true,
    requireUppercase: true,
    requireDigits: true,
    requireSymbols: true,
    temporaryPasswordValidityDays: 3,
  },
  /** The console's app client: no secret; SRP in AWS, also USER_PASSWORD_AUTH locally. */
  client: {
    name: 'console',
    accessTokenValidityMinutes: 60,
    idTokenValidityMinutes: 60,
    refreshTokenValidityDays: 30,
  },
} as const;

/** A role's group name in the user pool. */
export type UserGroup = keyof typeof userPool.groups;

/**
 * The Lambda authorizer that checks device credentials (resolvers/device-authorizer.ts).
 * AppSync caches its answer per token for `cacheTtlSeconds`: a revoked credential stops
 * working within that time. Tokens that do not match `tokenPattern` are refused by AppSync
 * without invoking the function.
 */
export const deviceAuthorizer = {
  cacheTtlSeconds: 300,
  tokenPattern: '^tad_[0-9a-f]{32}_[0-9a-f]{64}$',
  /** `lastUsedAt` is written at most this often per credential. */
  lastUsedGranularitySeconds: 60,
} as const;

/**
 * The only attributes the authorizer's update of a credential may name (the key and the
 * time of last use): its IAM policy allows no other, and the store's `touch` names no other.
 */
export const touchAttributes = ['id', 'lastUsedAt'] as const;

/** How often the scheduled check looks for silent devices and due repeats (AWS: EventBridge). */
export const episodeCheck = { intervalSeconds: 60 } as const;

/** Fields resolved by a NONE data source: AppSync returns the arguments, nothing is invoked. */
export const noneResolverFields = ['Mutation.publishAlert'] as const;

/** The stack's name: the CDK stack's id, and the key of the local stack's outputs file. */
export const stackName = 'TelemetryAlerts';
