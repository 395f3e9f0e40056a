import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImportReport } from '../../../generated/graphql.ts';
import { generatedAlarmModels } from '../../support/iot-events-corpus.ts';
import { signedInEvent } from '../../support/resolver-events.ts';

const stored = vi.hoisted(() => new Map<string, { id: string; createdBy: string | null }>());

// The handler's wiring, with an in-memory rule store in place of DynamoDB.
vi.mock('../../../adapters/wiring/rules.ts', () => ({
  rules: {
    getMany: async (ids: string[]) =>
      new Map(ids.flatMap((id) => (stored.has(id) ? [[id, stored.get(id)]] : []))),
    create: async (rule: { id: string; createdBy: string | null }) =>
      void stored.set(rule.id, rule),
    replace: async (rule: { id: string; createdBy: string | null }) => {
      if (!stored.has(rule.id)) return false;
      stored.set(rule.id, rule);
      return true;
    },
  },
  work: { send: async () => undefined },
  refreshMs: 2000,
}));

const { handler } = await import('../../../resolvers/rules.ts');

const importing = (args: Record<string, unknown>) =>
  handler(signedInEvent('admins', 'Mutation.importAlarmModels', args)) as Promise<
    ImportReport | { __error: { errorType: string; message: string } }
  >;

describe('importAlarmModels', () => {
  beforeEach(() => stored.clear());

  it('given models as AppSync hands them over (parsed), then their rules are made by the caller', async () => {
    const report = (await importing({ models: generatedAlarmModels(3) })) as ImportReport;

    expect(report).toMatchObject({ dryRun: false, created: 3 });
    expect(stored.get('iot-events:Generated_0')?.createdBy).toBe('admin@example.com');
  });

  it('given models as JSON text, then they are read as JSON', async () => {
    const report = (await importing({
      models: JSON.stringify({ alarmModels: generatedAlarmModels(2) }),
    })) as ImportReport;

    expect(report.created).toBe(2);
  });

  it('given a dry run, then nothing is stored', async () => {
    const report = (await importing({
      models: generatedAlarmModels(2),
      dryRun: true,
    })) as ImportReport;

    expect(report).toMatchObject({ dryRun: true, created: 2 });
    expect(stored.size).toBe(0);
  });

  it('given a metric and a severity mapping, then the rules follow them', async () => {
    const [model] = generatedAlarmModels(1);

    const report = (await importing({
      models: [model],
      metrics: [{ inputProperty: '$input.Plant.metrics.metric_0', metric: 'level' }],
      severities: [{ severity: 0, level: 'INFO' }],
    })) as ImportReport;

    expect(report.models[0]?.notes).toEqual(
      expect.arrayContaining([
        'metric level: mapped from $input.Plant.metrics.metric_0',
        'severity 0: INFO (your mapping)',
      ]),
    );
  });

  it.each([
    [{ models: '{"alarmModelName": ' }, 'models is not JSON'],
    [{ models: [] }, 'The list of alarm models is empty'],
    [{ models: { name: 'x' } }, 'No alarm models found'],
    [{ models: { alarmModels: 'x' } }, 'alarmModels must be a list'],
    [{ models: generatedAlarmModels(1001) }, '1001 alarm models in one import; at most 1000'],
    [
      {
        models: generatedAlarmModels(1),
        metrics: [{ inputProperty: '$input.A.b', metric: 'a b' }],
      },
      'metrics[0].metric may contain only',
    ],
    [
      { models: generatedAlarmModels(1), severities: [{ severity: -1, level: 'INFO' }] },
      'severities[0].severity must be a whole number from 0 to 2147483647',
    ],
    [
      { models: generatedAlarmModels(1), severities: [{ severity: 1, level: 'FATAL' }] },
      'severities[0].level must be one of INFO, WARNING, CRITICAL',
    ],
    [
      {
        models: generatedAlarmModels(1),
        severities: [
          { severity: 1, level: 'INFO' },
          { severity: 1, level: 'CRITICAL' },
        ],
      },
      'severities[1] maps severity 1 again',
    ],
  ])('given %o, then it is refused as a ValidationError saying %s', async (args, message) => {
    const answer = await importing(args);

    expect(answer).toEqual({
      __error: { errorType: 'ValidationError', message: expect.stringContaining(message) },
    });
    expect(stored.size).toBe(0);
  });
});
