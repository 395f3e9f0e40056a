import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../domain/rule.ts';
import {
  boilerModel,
  generatedAlarmModels,
  importDocument,
  importedAt,
  MemoryRuleStore,
} from '../../support/iot-events-corpus.ts';

const later = '2026-05-02T08:00:00.000Z';

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
    await importDocument(boilerModel(), store);
    const v4 = {
      ...boilerModel(),
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
      createdAt: importedAt,
      updatedAt: later,
    });
  });

  it('given the same model again, then it is unchanged and nothing is written', async () => {
    const store = new MemoryRuleStore();
    await importDocument(boilerModel(), store);
    const writes = store.writes;

    const { report } = await importDocument(boilerModel(), store, { at: later });

    expect(report.models[0]?.outcome).toBe('UNCHANGED');
    expect(store.writes).toBe(writes);
  });

  it('given a rule someone enabled, when its model (disabled on initialization) is imported again, then the rule stays enabled', async () => {
    // Prepare
    const store = new MemoryRuleStore();
    const model = {
      ...boilerModel(),
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

  it('given an imported rule given hysteresis by hand, when its model turns to EQUAL, then the model is refused saying what clashes and the rule is kept', async () => {
    // Prepare
    const store = new MemoryRuleStore();
    await importDocument(boilerModel(), store);
    const rule = store.rules.get('iot-events:BoilerTemperatureHigh')!;
    store.rules.set(rule.id, { ...rule, clearThreshold: 80 });
    const equal = {
      ...boilerModel(),
      alarmModelVersion: '4',
      alarmRule: {
        simpleRule: {
          inputProperty: '$input.BoilerInput.sensors.temperature',
          comparisonOperator: 'EQUAL',
          threshold: '0',
        },
      },
    };

    // Act
    const { report } = await importDocument(equal, store);

    // Assess
    expect(report.models[0]).toMatchObject({ outcome: 'REFUSED', ruleId: null });
    expect(report.models[0]?.reasons).toEqual([
      expect.stringContaining(
        'its rule iot-events:BoilerTemperatureHigh has options set since it was imported that this model cannot take (input.clearThreshold does not apply to EQ rules)',
      ),
    ]);
    expect(store.rules.get(rule.id)).toMatchObject({ operator: 'GT', clearThreshold: 80 });
  });

  it('given another import creating the rule between the read and the write, then the model is refused saying to import again', async () => {
    const store = new MemoryRuleStore();
    const racing = Object.assign(Object.create(store) as MemoryRuleStore, {
      create: async (rule: Rule) => {
        await store.create({ ...rule, name: 'created by the other import' });
        return store.create(rule);
      },
    });

    const { report } = await importDocument(boilerModel(), racing);

    expect(report.models[0]).toMatchObject({
      outcome: 'REFUSED',
      ruleId: null,
      reasons: [
        'its rule iot-events:BoilerTemperatureHigh was created by another import at the same time: import again to update it',
      ],
    });
    expect(store.rules.get('iot-events:BoilerTemperatureHigh')?.name).toBe(
      'created by the other import',
    );
  });

  it('given a store that fails to write, then the import fails, not the model', async () => {
    const store = new MemoryRuleStore();
    const failing = Object.assign(Object.create(store) as MemoryRuleStore, {
      create: async () => {
        throw new Error('DynamoDB is unavailable');
      },
    });

    await expect(importDocument(boilerModel(), failing)).rejects.toThrow('DynamoDB is unavailable');
  });

  it('given a rule deleted between the read and the write, then it is made anew', async () => {
    const store = new MemoryRuleStore();
    await importDocument(boilerModel(), store);
    const deleting = Object.assign(Object.create(store) as MemoryRuleStore, {
      replace: async (rule: { id: string }) => {
        store.rules.delete(rule.id);
        return false;
      },
    });

    const { report } = await importDocument({ ...boilerModel(), alarmModelVersion: '9' }, deleting);

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
