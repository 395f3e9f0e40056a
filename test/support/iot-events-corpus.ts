/**
 * The corpus of IoT Events alarm models the import tests read: the files under
 * test/fixtures/iot-events (each `<name>.json` with the report and rules it should give in
 * `<name>.expected.json`), a generated file of many models, and an in-memory rule store.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AlarmModelMapping,
  noMapping,
  planImport,
  unusedMappings,
} from '../../domain/iot-events.ts';
import { type ImportRuleStore, importRules } from '../../domain/rule-import.ts';
import type { Rule } from '../../domain/rule.ts';

export const corpusDir = join(import.meta.dirname, '..', 'fixtures', 'iot-events');

/** The corpus's model files by name (without `.json`), each with an expected file. */
export function corpusNames(): string[] {
  return readdirSync(corpusDir)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.expected.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

export const corpusFile = (name: string) => join(corpusDir, `${name}.json`);

/** The corpus's full describe-alarm-model output, as a fresh object to change. */
export const boilerModel = () =>
  JSON.parse(readFileSync(corpusFile('describe-boiler'), 'utf8')) as Record<string, unknown>;

/** The time the import tests import at, unless they say otherwise. */
export const importedAt = '2026-05-01T12:00:00.000Z';

/** Imports a document of models into `store` as an admin would, by default for real. */
export async function importDocument(
  document: unknown,
  store = new MemoryRuleStore(),
  options: { dryRun?: boolean; mapping?: AlarmModelMapping; at?: string } = {},
) {
  const mapping = options.mapping ?? noMapping;
  const plans = planImport(document, mapping);
  const report = await importRules(plans, store, {
    dryRun: options.dryRun ?? false,
    at: options.at ?? importedAt,
    by: 'admin@example.com',
    warnings: unusedMappings(plans, mapping),
  });
  return { report, store };
}

/** What importing a corpus file into an empty store should give: a report and rules, or an error. */
export type CorpusExpectation = { report: unknown; rules: Partial<Rule>[] } | { error: string };

export function corpusExpectation(name: string): CorpusExpectation {
  return JSON.parse(
    readFileSync(join(corpusDir, `${name}.expected.json`), 'utf8'),
  ) as CorpusExpectation;
}

const operators = [
  'GREATER',
  'GREATER_OR_EQUAL',
  'LESS',
  'LESS_OR_EQUAL',
  'EQUAL',
  'NOT_EQUAL',
] as const;

/**
 * `count` alarm models as describe-alarm-model prints them, named `<prefix>_<n>`, cycling
 * through the operators, severities 0 to 4, keys and acknowledge flows, each with an SNS
 * action; `version` is every model's alarmModelVersion.
 */
export function generatedAlarmModels(count: number, prefix = 'Generated', version = '1') {
  return Array.from({ length: count }, (_, n) => ({
    alarmModelName: `${prefix}_${n}`,
    alarmModelArn: `arn:aws:iotevents:eu-west-1:123456789012:alarmModel/${prefix}_${n}`,
    alarmModelVersion: version,
    alarmModelDescription: `Generated model ${n}`,
    roleArn: 'arn:aws:iam::123456789012:role/IoTEventsAlarmRole',
    status: 'ACTIVE',
    ...(n % 2 === 0 ? { key: 'deviceId' } : {}),
    severity: n % 5,
    alarmRule: {
      simpleRule: {
        inputProperty: `$input.Plant.metrics.metric_${n % 50}`,
        comparisonOperator: operators[n % operators.length],
        threshold: String(n),
      },
    },
    alarmEventActions: {
      alarmActions: [{ sns: { targetArn: 'arn:aws:sns:eu-west-1:123456789012:alarms' } }],
    },
    alarmCapabilities: {
      acknowledgeFlow: { enabled: n % 3 === 0 },
      initializationConfiguration: { disabledOnInitialization: false },
    },
  }));
}

/** Rules in memory, as the import reads and writes them. */
export class MemoryRuleStore implements ImportRuleStore {
  readonly rules = new Map<string, Rule>();
  writes = 0;

  reads = 0;

  async getMany(ids: readonly string[]): Promise<Map<string, Rule>> {
    this.reads++;
    return new Map(
      ids.flatMap((id) => {
        const rule = this.rules.get(id);
        return rule ? [[id, rule] as const] : [];
      }),
    );
  }

  async create(rule: Rule): Promise<void> {
    if (this.rules.has(rule.id)) throw new Error(`rule ${rule.id} exists`);
    this.writes++;
    this.rules.set(rule.id, rule);
  }

  async replace(rule: Rule): Promise<boolean> {
    if (!this.rules.has(rule.id)) return false;
    this.writes++;
    this.rules.set(rule.id, rule);
    return true;
  }
}
