import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors.ts';
import {
  type AlarmModelMapping,
  defaultSeverityLevel,
  parseAlarmModelsJson,
} from '../../../domain/iot-events.ts';
import {
  corpusExpectation,
  corpusFile,
  corpusNames,
  boilerModel,
  importDocument,
  importedAt,
  MemoryRuleStore,
} from '../../support/iot-events-corpus.ts';

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

    const { report, store } = await importDocument(boilerModel(), undefined, { mapping });

    const rule = store.rules.get('iot-events:BoilerTemperatureHigh');
    expect(rule).toMatchObject({ metric: 'boiler.temp', severity: 'WARNING' });
    expect(report.models[0]?.notes).toEqual(
      expect.arrayContaining([
        'metric boiler.temp: mapped from $input.BoilerInput.sensors.temperature',
        'severity 1: WARNING (your mapping)',
      ]),
    );
  });

  it('given mappings that no model uses, then the report warns of each and the defaults apply', async () => {
    const mapping: AlarmModelMapping = {
      metrics: new Map([
        ['$input.BoilerInput.sensors.temperature', 'boiler.temp'],
        ['$input.BoilerInput.sensor.temperature', 'typo'],
      ]),
      severities: new Map([
        [1, 'WARNING'],
        [7, 'CRITICAL'],
      ]),
    };

    const { report } = await importDocument(boilerModel(), undefined, { mapping });

    expect(report.warnings).toEqual([
      'metric mapping $input.BoilerInput.sensor.temperature=typo applies to no model: no alarmRule.simpleRule.inputProperty is $input.BoilerInput.sensor.temperature (it must match exactly, e.g. $input.Boiler.sensors.temp)',
      'severity mapping 7=CRITICAL applies to no model: no model has severity 7',
    ]);
    expect(report.models[0]).toMatchObject({ outcome: 'CREATED' });
  });

  it('given mappings that every model uses, then the report warns of nothing', async () => {
    const mapping: AlarmModelMapping = {
      metrics: new Map([['$input.BoilerInput.sensors.temperature', 'boiler.temp']]),
      severities: new Map([[1, 'WARNING']]),
    };

    const { report } = await importDocument(boilerModel(), undefined, { mapping });

    expect(report.warnings).toEqual([]);
  });

  it('given a SiteWise input property mapped to a metric, then it imports', async () => {
    const model = {
      ...boilerModel(),
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
    const model = boilerModel();
    (model.alarmRule as { simpleRule: Record<string, unknown> }).simpleRule.threshold = 90.5;

    const { store } = await importDocument(model);

    expect(store.rules.get('iot-events:BoilerTemperatureHigh')?.threshold).toBe(90.5);
  });

  it('given a name, a description and an owner, then the rule is named as the model and made by the importer', async () => {
    const { store } = await importDocument(boilerModel());

    expect(store.rules.get('iot-events:BoilerTemperatureHigh')).toMatchObject({
      name: 'BoilerTemperatureHigh',
      description: 'Boiler water temperature above its safe limit',
      createdBy: 'admin@example.com',
      createdAt: importedAt,
      deviceId: null,
      selector: null,
    });
  });
});
