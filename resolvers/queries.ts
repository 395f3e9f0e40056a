import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { dynamodb } from '../adapters/aws-clients.ts';
import { DynamoDbAlertStore } from '../adapters/dynamodb-alert-store.ts';
import { DynamoDbReadingStore } from '../adapters/dynamodb-reading-store.ts';
import { integerEnv, requireEnv } from '../adapters/environment.ts';
import { pageRequest } from '../domain/pagination.ts';
import { timeRange } from '../domain/time.ts';
import { requireId, requireMetric } from '../domain/validation.ts';
import type { QueryAlertsArgs, QueryEventsArgs } from '../generated/graphql.ts';
import { defaultRetentionDays, tables } from '../infra/resources.ts';

const retentionDays = integerEnv('RETENTION_DAYS', defaultRetentionDays);
const readings = new DynamoDbReadingStore(
  dynamodb,
  requireEnv(tables.readings.envVar),
  retentionDays,
);
const alerts = new DynamoDbAlertStore(dynamodb, requireEnv(tables.alerts.envVar), retentionDays);

const optional = <T>(value: T | null | undefined, parse: (v: T) => T): T | null =>
  value === null || value === undefined ? null : parse(value);

/** History: a device's readings and the recorded alerts, newest first. */
export const handler = appSyncResolver({
  'Query.events': (args: QueryEventsArgs) => {
    const query = {
      deviceId: requireId(args.deviceId, 'deviceId'),
      metric: optional(args.metric, (m) => requireMetric(m, 'metric')),
      ...timeRange(args.from, args.to),
    };
    return readings.list(query, pageRequest(args, { events: query }));
  },
  'Query.alerts': (args: QueryAlertsArgs) => {
    const query = {
      deviceId: optional(args.deviceId, (d) => requireId(d, 'deviceId')),
      ruleId: optional(args.ruleId, (r) => requireId(r, 'ruleId')),
      ...timeRange(args.from, args.to),
    };
    return alerts.list(query, pageRequest(args, { alerts: query }));
  },
});
