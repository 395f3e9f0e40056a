import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors.ts';
import {
  type AlarmModelMapping,
  defaultSeverityLevel,
  noMapping,
  parseAlarmModelsJson,
  planImport,
} from '../../../domain/iot-events.ts';
import { importRules } from '../../../domain/rule-import.ts';
import {
  corpusExpectation,
  corpusFile,
  corpusNames,
  generatedAlarmModels,
  MemoryRuleStore,
} from '../../support/iot-events-corpus.ts';

const at = '2026-05-01T12:00:00.000Z';
const later = '2026-05-02T08:00:00.000Z';

const boiler = () =>
  JSON.parse(readFileSync(corpusFile('describe-boiler'), 'utf8')) as Record<string, unknown>;

async function importDocument(
  document: unknown,
  store = new MemoryRuleStore(),
  options: { dryRun?: boolean; mapping?: AlarmModelMapping; at?: string } = {},
) {
  const report = await importRules(planImport(document, options.mapping ?? noMapping), store, {
    dryRun: options.dryRun ?? false,
    at: options.at ?? at,
    by: 'admin@example.com',
  });
  return { report, store };
}

describe('the corpus of alarm models', () => {
  it('holds every case the import must handle', () => {
    expect(corpusNames()).toEqual(
      expect.arrayContaining([
        'operators',
        'severities',
        'key',
        'acknowledge-flow',
        'disabled-on-initialization',
        'attribute-threshold',
        'unknown-fields',
        'malformed',
        'empty-list',
        'describe-boiler',
        'create-alarm-model-request',
      ]),
    );
  });

  it.each(corpusNames())(
    'given %s.json imported into no rules, then the report and rules are as expected',
    async (name) => {
      // Prepare
      const expected = corpusExpectation(name);
      const text = readFileSync(corpusFile(name), 'utf8');
      const store = new MemoryRuleStore();

      // Act
      const run = async () =>
        importDocument(parseAlarmModelsJson(text, `${name}.json`), store, { dryRun: false });

      // Assess
      if ('error' in expected) {
        await expect(run()).rejects.toThrow(ValidationError);
        await expect(run()).rejects.toThrow(expected.error);
        expect(store.writes).toBe(0);
        return;
      }
      const { report } = await run();
      expect(report).toEqual(expected.report);
      expect([...store.rules.values()]).toEqual(
        expected.rules.map((rule) => expect.objectContaining(rule)),
      );
    },
  );
});

describe('mapping an alarm model', () => {
  it('given the default severity mapping, then lower numbers are more severe', () => {
    expect([0, 1, 2, 3, 4, 2_147_483_647].map(defaultSeverityLevel)).toEqual([
      'CRITICAL',
      'CRITICAL',
      'WARNING',
      'INFO',
      'INFO',
      'INFO',
    ]);
  });

  it('given a metric and a severity mapping, then they win over the defaults and the notes say so', async () => {
    const mapping: AlarmModelMapping = {
      metrics: new Map([['$input.BoilerInput.sensors.temperature', 'boiler.temp']]),
      severities: new Map([[1, 'WARNING']]),
    };

    const { report, store } = await importDocument(boiler(), undefined, { mapping });

    const rule = store.rules.get('iot-events:BoilerTemperatureHigh');
    expect(rule).toMatchObject({ metric: 'boiler.temp', severity: 'WARNING' });
    expect(report.models[0]?.notes).toEqual(
      expect.arrayContaining([
        'metric boiler.temp: mapped from $input.BoilerInput.sensors.temperature',
        'severity 1: WARNING (your mapping)',
      ]),
    );
  });

  it('given a SiteWise input property mapped to a metric, then it imports', async () => {
    const model = {
      ...boiler(),
      alarmRule: {
        simpleRule: {
          inputProperty: '$sitewise.assetModel.`m1`.`p1`.propertyValue.value',
          comparisonOperator: 'LESS_OR_EQUAL',
          threshold: '0',
        },
      },
    };
    const mapping: AlarmModelMapping = {
      metrics: new Map([['$sitewise.assetModel.`m1`.`p1`.propertyValue.value', 'flow']]),
      severities: new Map(),
    };

    const { report } = await importDocument(model, undefined, { mapping });

    expect(report.models[0]).toMatchObject({ outcome: 'CREATED', reasons: [] });
  });

  it('given a threshold as a JSON number, then it is taken as the constant it is', async () => {
    const model = boiler();
    (model.alarmRule as { simpleRule: Record<string, unknown> }).simpleRule.threshold = 90.5;

    const { store } = await importDocument(model);

    expect(store.rules.get('iot-events:BoilerTemperatureHigh')?.threshold).toBe(90.5);
  });

  it('given a name, a description and an owner, then the rule is named as the model and made by the importer', async () => {
    const { store } = await importDocument(boiler());

    expect(store.rules.get('iot-events:BoilerTemperatureHigh')).toMatchObject({
      name: 'BoilerTemperatureHigh',
      description: 'Boiler water temperature above its safe limit',
      createdBy: 'admin@example.com',
      createdAt: at,
      deviceId: null,
      selector: null,
    });
  });
});

describe('importing again', () => {
  it('given a dry run, then nothing is written and the report says what an import would do', async () => {
    const store = new MemoryRuleStore();

    const { report } = await importDocument(generatedAlarmModels(5), store, { dryRun: true });

    expect(report).toMatchObject({ dryRun: true, created: 5, refused: 0 });
    expect(store.writes).toBe(0);
    expect(store.rules.size).toBe(0);
  });

  it('given a new version of an imported model, then its rule is updated, not duplicated', async () => {
    // Prepare
    const store = new MemoryRuleStore();
    await importDocument(boiler(), store);
    const v4 = {
      ...boiler(),
      alarmModelVersion: '4',
      alarmRule: {
        simpleRule: {
          inputProperty: '$input.BoilerInput.sensors.temperature',
          comparisonOperator: 'GREATER_OR_EQUAL',
          threshold: '90',
        },
      },
    };

    // Act
    const { report } = await importDocument(v4, store, { at: later });

    // Assess
    expect(report).toMatchObject({ created: 0, updated: 1 });
    expect(store.rules.size).toBe(1);
    expect(store.rules.get('iot-events:BoilerTemperatureHigh')).toMatchObject({
      operator: 'GTE',
      threshold: 90,
      source: { kind: 'IOT_EVENTS', name: 'BoilerTemperatureHigh', version: '4' },
      createdAt: at,
      updatedAt: later,
    });
  });

  it('given the same model again, then it is unchanged and nothing is written', async () => {
    const store = new MemoryRuleStore();
    await importDocument(boiler(), store);
    const writes = store.writes;

    const { report } = await importDocument(boiler(), store, { at: later });

    expect(report.models[0]?.outcome).toBe('UNCHANGED');
    expect(store.writes).toBe(writes);
  });

  it('given a rule someone enabled, when its model (disabled on initialization) is imported again, then the rule stays enabled', async () => {
    // Prepare
    const store = new MemoryRuleStore();
    const model = {
      ...boiler(),
      alarmCapabilities: {
        initializationConfiguration: { disabledOnInitialization: true },
        acknowledgeFlow: { enabled: true },
      },
    };
    await importDocument(model, store);
    const rule = store.rules.get('iot-events:BoilerTemperatureHigh');
    expect(rule?.enabled).toBe(false);
    store.rules.set(rule!.id, { ...rule!, enabled: true });

    // Act
    const { report } = await importDocument({ ...model, alarmModelVersion: '4' }, store);

    // Assess
    expect(store.rules.get('iot-events:BoilerTemperatureHigh')?.enabled).toBe(true);
    expect(report.models[0]?.notes).toContain(
      'disabledOnInitialization applies to a new rule only: the rule stays enabled',
    );
  });

  it('given a rule deleted between the read and the write, then it is made anew', async () => {
    const store = new MemoryRuleStore();
    await importDocument(boiler(), store);
    const deleting = Object.assign(Object.create(store) as MemoryRuleStore, {
      replace: async (rule: { id: string }) => {
        store.rules.delete(rule.id);
        return false;
      },
    });

    const { report } = await importDocument({ ...boiler(), alarmModelVersion: '9' }, deleting);

    expect(report.models[0]?.outcome).toBe('CREATED');
    expect(store.rules.get('iot-events:BoilerTemperatureHigh')?.source?.version).toBe('9');
  });
});

describe('a large import', () => {
  it('given 1,000 generated models, then every one is created once, each its own rule', async () => {
    const store = new MemoryRuleStore();

    const { report } = await importDocument({ alarmModels: generatedAlarmModels(1000) }, store);

    expect(report).toMatchObject({ created: 1000, refused: 0 });
    expect(store.rules.size).toBe(1000);
    expect(report.models.map((model) => model.index)).toEqual([...Array(1000).keys()]);
    expect(store.reads).toBe(1);
  });

  it('given 2,500 models, then their rules are read 1,000 at a time and every one is imported', async () => {
    const store = new MemoryRuleStore();

    const { report } = await importDocument(generatedAlarmModels(2500), store);

    expect(report.created).toBe(2500);
    expect(store.reads).toBe(3);
  });
});
