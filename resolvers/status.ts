import type { QuerySystemStatusArgs } from '../generated/graphql.ts';
import { limits } from '../domain/limits.ts';
import { readSystemStatus } from '../domain/system-status.ts';
import { requireInteger } from '../domain/validation.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { statusPeriodSeconds, systemStatus } from '../adapters/wiring/system-status.ts';

/** How the system is doing: its queues, the flow of readings, the evaluation lag. */
export const handler = appSyncResolver({
  'Query.systemStatus': (args: QuerySystemStatusArgs) =>
    readSystemStatus(systemStatus, {
      minutes:
        args.minutes === null || args.minutes === undefined
          ? limits.defaultStatusMinutes
          : requireInteger(args.minutes, 'minutes', 1, limits.maxStatusMinutes),
      periodSeconds: statusPeriodSeconds,
      now: Date.now(),
    }),
});
