import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRuleStore } from '../adapters/dynamodb-rule-store.ts';
import type { Labels, LabelMatcher } from '../domain/labels.ts';
import { newRule, type Rule } from '../domain/rule.ts';
import { BENCH_DEVICE_PREFIX } from './credentials.ts';

/*
 * The scale phase's fleet: devices with labels, the metrics they send, and a rule set of
 * per-device and label-selector rules, generated so that every level of the phase holds the
 * same devices and the same kind of rules, only more or fewer of them.
 */

/** What every fleet device sends, one reading per metric per cycle. */
export const FLEET_METRICS = ['temperature', 'pressure', 'humidity', 'vibration', 'voltage'];
/** Label values: 50 sites, 20 models, one device in ten in the lab. */
const SITES = 50;
const MODELS = 20;
/** The share of the rules that select devices by label; the rest watch one device each. */
export const SELECTOR_SHARE = 0.05;
/** Load readings' values stay in this range; every fleet rule's threshold is above it. */
export const NORMAL_VALUES = { low: 20, high: 30 } as const;

export function fleetDeviceId(index: number): string {
  return `${BENCH_DEVICE_PREFIX}fleet-${String(index).padStart(6, '0')}`;
}

/** The labels of the fleet's device number `index`: `site`, `model`, `tier`. */
export function fleetLabels(index: number): Labels {
  return {
    site: `site-${index % SITES}`,
    model: `m${Math.floor(index / SITES) % MODELS}`,
    tier: index % 10 === 0 ? 'lab' : 'prod',
  };
}

/**
 * The fleet's rules, `count` of them over `devices` devices, made as `createRule` would
 * make them (domain `newRule`, so they are valid rules). 95% watch one device and one metric
 * each (device k, metric k mod 5: spread over the fleet); 5% are selector rules, one per
 * (metric, site, model) until those run out, then again with a `tier NEQ lab` matcher:
 * `site EQ s` and `model EQ m`, every third one `model IN (m, m+1)` instead. Thresholds are
 * 80 and above; the load's readings are 20 to 30, so nothing breaches.
 */
export function* fleetRules(count: number, devices: number, at: string): Generator<Rule> {
  const selectors = Math.round(count * SELECTOR_SHARE);
  const perDevice = count - selectors;
  for (let k = 0; k < perDevice; k += 1) {
    yield newRule(
      {
        deviceId: fleetDeviceId(k % devices),
        metric: FLEET_METRICS[k % FLEET_METRICS.length] as string,
        operator: 'GT',
        threshold: 80 + (k % 20),
        severity: 'WARNING',
        name: `bench fleet: device ${k % devices}`,
      },
      `fleet-device-rule-${k}`,
      at,
    );
  }
  const pairs = SITES * MODELS;
  for (let j = 0; j < selectors; j += 1) {
    const pair = Math.floor(j / FLEET_METRICS.length);
    const site = pair % SITES;
    const model = Math.floor(pair / SITES) % MODELS;
    const selector: LabelMatcher[] = [
      { key: 'site', operator: 'EQ', values: [`site-${site}`] },
      j % 3 === 0
        ? { key: 'model', operator: 'IN', values: [`m${model}`, `m${(model + 1) % MODELS}`] }
        : { key: 'model', operator: 'EQ', values: [`m${model}`] },
    ];
    if (pair >= pairs) selector.push({ key: 'tier', operator: 'NEQ', values: ['lab'] });
    yield newRule(
      {
        selector,
        metric: FLEET_METRICS[j % FLEET_METRICS.length] as string,
        operator: 'GT',
        threshold: 90,
        severity: 'CRITICAL',
        name: `bench fleet: site ${site}, model ${model}`,
      },
      `fleet-selector-rule-${j}`,
      at,
    );
  }
}

/** Runs `task` over `items`, at most `limit` at a time. */
export async function inParallel<T>(
  items: Iterable<T>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const next = async (): Promise<void> => {
    for (let step = iterator.next(); !step.done; step = iterator.next()) await task(step.value);
  };
  await Promise.all(Array.from({ length: limit }, next));
}

/**
 * Writes the fleet's rules straight into the rules table, 25 a call, as the rule store's
 * `create` stores them (the rule, its listing keys and its change marker; one `create` a rule
 * would take minutes at 100,000), then reads them back through the store's cold-start load:
 * a rule the store would not read as one fails the phase here, not silently later.
 */
export async function writeFleetRules(
  client: DynamoDBDocumentClient,
  tableName: string,
  count: number,
  devices: number,
): Promise<void> {
  const at = new Date().toISOString();
  const items = (function* () {
    for (const rule of fleetRules(count, devices, at)) {
      yield {
        ...rule,
        scope: rule.deviceId ?? '*',
        kind: 'rule',
        createdKey: `${rule.createdAt}#${rule.id}`,
        changeFeed: 'rules',
        changedKey: `${at}#${rule.id}`,
      };
    }
  })();
  await batchPut(client, tableName, items);
  const loaded = [...(await new DynamoDbRuleStore(client, tableName).loadAll())].length;
  if (loaded !== count) {
    throw new Error(`The rule store reads ${loaded} of the ${count} fleet rules written`);
  }
}

/** Chunks of `size` from a sequence. */
function* chunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Writes 25 items a call (BatchWriteItem's most), sending again what comes back unprocessed. */
export async function batchPut(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: Iterable<Record<string, unknown>>,
): Promise<void> {
  await inParallel(chunks(items, 25), 8, async (chunk) => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  });
}
