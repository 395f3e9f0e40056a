import type { QueryBacktestRuleArgs } from '../generated/graphql.ts';
import { backtest, defaultBudget, parseBacktest } from '../domain/backtest.ts';
import { formatDateTime } from '../domain/time.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { devices, history, maxReadings } from '../adapters/wiring/backtest.ts';

const budget = { ...defaultBudget, readings: maxReadings };

/** Backtests: a draft rule replayed over stored readings, in memory, writing nothing. */
export const handler = appSyncResolver({
  'Query.backtestRule': ({ input }: QueryBacktestRuleArgs) => {
    const request = parseBacktest(input, formatDateTime(Date.now()));
    return backtest(request, { history, devices, now: Date.now, budget });
  },
});
