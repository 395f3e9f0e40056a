import type { EvaluationDeps } from '../../domain/evaluation.ts';
import { DeviceCache } from '../../domain/device-cache.ts';
import { type FlushDeps, flushGroup } from '../../domain/notification-groups.ts';
import { OpenEpisodeCache, TrackedEpisodeStore } from '../../domain/open-episodes.ts';
import { RuleCache } from '../../domain/rule-cache.ts';
import { alertsTopic, tables } from '../../infra/resources.ts';
import { AppSyncAlertPublisher } from '../appsync-alert-publisher.ts';
import { dynamodb } from '../clients/dynamodb.ts';
import { sns } from '../clients/sns.ts';
import { setting } from '../config.ts';
import { DynamoDbEpisodeStore } from '../dynamodb-episode-store.ts';
import { DynamoDbNotificationGroupStore } from '../dynamodb-notification-group-store.ts';
import { GroupingNotifier } from '../grouping-notifier.ts';
import { alertFired } from '../instrumentation.ts';
import { logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import { SnsGroupSender } from '../sns-alert-notifier.ts';
import { evaluationQueue } from './evaluation-queue.ts';
import { mutes, silences } from './silences.ts';
import { alertStore, deviceStore, readingStore, ruleStore as sharedRuleStore } from './stores.ts';

/*
 * The evaluation's adapters, configured once per process from the environment: shared by
 * the SQS worker and the scheduled check, which evaluate the same episodes.
 */

export const ruleStore = sharedRuleStore();

/** The rules, read whole at a cold start and then by their changes (domain/rule-cache.ts). */
export const rules = new RuleCache(ruleStore, {
  maxAgeMs: setting('RULES_REFRESH_MS'),
  onError: (error) =>
    logger.warn('Rules not refreshed; the last ones are used meanwhile', { error }),
  metrics,
});

export const episodeStore = new DynamoDbEpisodeStore(dynamodb, setting(tables.episodes.envVar));

/**
 * The episodes not at rest, read whole at a cold start and then by their changes
 * (domain/open-episodes.ts): what spares the worker a read per healthy reading and rule.
 */
export const openEpisodes = new OpenEpisodeCache(episodeStore, {
  maxAgeMs: setting('RULES_REFRESH_MS'),
  onError: (error) =>
    logger.warn('Open episodes not refreshed; episodes are read meanwhile', { error }),
});

/**
 * The e-mail channel's groups: the worker adds notifications and flushes a group when its
 * `flushGroup` message arrives; the scheduled check flushes the overdue ones.
 */
export const groupFlushing: FlushDeps = {
  store: new DynamoDbNotificationGroupStore(dynamodb, setting(tables.notificationGroups.envVar)),
  queue: evaluationQueue(),
  sender: new SnsGroupSender(sns, setting(alertsTopic.envVar)),
  now: Date.now,
  metrics,
  leaseMs: setting('DELIVERY_LEASE_SECONDS') * 1000,
};

export const evaluationDeps: EvaluationDeps = {
  readings: readingStore(),
  rules: () => rules.current(),
  // Labels for selector rules, held and kept fresh by the inventory's label changes.
  devices: new DeviceCache(deviceStore(), {
    maxAgeMs: setting('RULES_REFRESH_MS'),
    onError: (error) =>
      logger.warn('Label changes not read; held devices are read again by their age', { error }),
  }),
  onSightingsNotRecorded: (error) =>
    logger.warn('Devices not recorded in the inventory; their next readings record them', {
      error,
    }),
  // What the worker reads and writes tells its knowledge of the open episodes at once.
  episodes: new TrackedEpisodeStore(episodeStore, openEpisodes.known),
  openEpisodes: () => openEpisodes.current(),
  alerts: alertStore(),
  notifier: new GroupingNotifier(
    () => rules.current(),
    {
      waitSeconds: setting('GROUP_WAIT_SECONDS'),
      intervalSeconds: setting('GROUP_INTERVAL_SECONDS'),
    },
    groupFlushing,
  ),
  flushGroup: (groupKey) => flushGroup(groupKey, groupFlushing),
  publisher: new AppSyncAlertPublisher(setting('GRAPHQL_URL'), setting('AWS_REGION')),
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  // A firing worker records its new alert right after storing the episode; 10 s covers the
  // SDK's retries of that write. Past it, the worker is taken as gone and others deliver.
  firingWindowMs: 10_000,
  deliveryLeaseMs: groupFlushing.leaseMs,
  metrics,
  onAlertFired: alertFired,
  // Silences and maintenance windows: held as the rules are, read by id for the release.
  mutes: () => mutes.current(),
  muteStore: silences,
};
