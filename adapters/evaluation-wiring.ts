import type { EvaluationDeps } from '../domain/evaluation.ts';
import { RuleCache } from '../domain/rule-cache.ts';
import { alertsTopic, defaultRetentionDays, tables } from '../infra/resources.ts';
import { AppSyncAlertPublisher } from './appsync-alert-publisher.ts';
import { dynamodb } from './clients/dynamodb.ts';
import { sns } from './clients/sns.ts';
import { DynamoDbAlertStore } from './dynamodb-alert-store.ts';
import { DynamoDbEpisodeStore } from './dynamodb-episode-store.ts';
import { DynamoDbReadingStore } from './dynamodb-reading-store.ts';
import { DynamoDbRuleStore } from './dynamodb-rule-store.ts';
import { integerEnv, requireEnv } from './environment.ts';
import { SnsAlertNotifier } from './sns-alert-notifier.ts';

/*
 * The evaluation's adapters, configured once per process from the environment: shared by
 * the SQS worker and the scheduled check, which evaluate the same episodes.
 */

const retentionDays = integerEnv('RETENTION_DAYS', defaultRetentionDays);

export const ruleStore = new DynamoDbRuleStore(dynamodb, requireEnv(tables.rules.envVar));

const rules = new RuleCache(() => ruleStore.all(), integerEnv('RULES_REFRESH_MS', 2000));

export const evaluationDeps: EvaluationDeps = {
  readings: new DynamoDbReadingStore(
    dynamodb,
    requireEnv(tables.readingBlocks.envVar),
    retentionDays,
  ),
  rules: () => rules.current(),
  episodes: new DynamoDbEpisodeStore(dynamodb, requireEnv(tables.episodes.envVar)),
  alerts: new DynamoDbAlertStore(dynamodb, requireEnv(tables.alerts.envVar), retentionDays),
  notifier: new SnsAlertNotifier(sns, requireEnv(alertsTopic.envVar)),
  publisher: new AppSyncAlertPublisher(requireEnv('GRAPHQL_URL'), requireEnv('AWS_REGION')),
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  // A firing worker records its new alert right after storing the episode; 10 s covers the
  // SDK's retries of that write. Past it, the worker is taken as gone and others deliver.
  firingWindowMs: 10_000,
};
