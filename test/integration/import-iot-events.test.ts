import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../generated/graphql.ts';
import { stackName } from '../../infra/resources.ts';
import type { LocalStack } from '../../local/stack.ts';
import { main } from '../../scripts/import-iot-events.ts';
import { graphql } from '../support/appsync-client.ts';
import { corpusFile, generatedAlarmModels } from '../support/iot-events-corpus.ts';
import {
  queueDrained,
  ruleChangesApplied,
  stackApi,
  stackSubscription,
  startTestStack,
} from '../support/local-stack.ts';
import { createUser } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';

/*
 * Alarm models imported on the local stack, through the importAlarmModels mutation and
 * through `npm run import-iot-events`, then evaluated as any rule is.
 */

let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  dir = mkdtempSync(join(tmpdir(), 'import-iot-events-'));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const api = stackApi(() => stack);

const IMPORT = `mutation ($m: AWSJSON!, $dry: Boolean, $metrics: [MetricMappingInput!]) {
  importAlarmModels(models: $m, dryRun: $dry, metrics: $metrics) {
    dryRun created updated unchanged refused warnings
    models { index name version outcome ruleId reasons notes ignored toConfigure { kind target instead } }
  }
}`;

const RULE = `query ($id: ID!) {
  rule(id: $id) {
    id metric operator threshold severity enabled latch name description createdBy
    source { kind name version }
  }
}`;

const corpus = (name: string) => JSON.parse(readFileSync(corpusFile(name), 'utf8')) as unknown;

async function importModels(
  models: unknown,
  variables: Record<string, unknown> = {},
): Promise<ImportReport> {
  const answer = await api<{ importAlarmModels: ImportReport }>(IMPORT, {
    m: JSON.stringify(models),
    ...variables,
  });
  if (!answer.data) throw new Error(JSON.stringify(answer.errors));
  return answer.data.importAlarmModels;
}

async function storedRule(id: string) {
  const answer = await api<{ rule: Record<string, unknown> | null }>(RULE, { id });
  return answer.data?.rule ?? null;
}

/** A copy of a model under another name, so tests do not share rules. */
function renamed(model: unknown, name: string, extra: Record<string, unknown> = {}) {
  return { ...(model as Record<string, unknown>), alarmModelName: name, ...extra };
}

describe('importAlarmModels on the local stack', () => {
  it('given a model as describe-alarm-model prints it, then its rule is created with its source, by the admin', async () => {
    // Act
    const report = await importModels(renamed(corpus('describe-boiler'), 'Boiler_created'));

    // Assess
    expect(report).toMatchObject({ dryRun: false, created: 1, refused: 0 });
    expect(report.models[0]?.toConfigure.map((item) => item.kind)).toEqual([
      'Lambda',
      'e-mail',
      'SMS',
      'SNS',
      'SQS',
      'Lambda',
      'Firehose',
      'IoT topic',
    ]);
    expect(await storedRule('iot-events:Boiler_created')).toEqual({
      id: 'iot-events:Boiler_created',
      metric: 'temperature',
      operator: 'GT',
      threshold: 85,
      severity: 'CRITICAL',
      enabled: true,
      latch: true,
      name: 'Boiler_created',
      description: 'Boiler water temperature above its safe limit',
      createdBy: stack.outputs.LocalAdminUsername,
      source: { kind: 'IOT_EVENTS', name: 'Boiler_created', version: '3' },
    });
  });

  it('given a dry run, then the report says what would happen and no rule is written', async () => {
    const models = generatedAlarmModels(3, 'DryRun');

    const report = await importModels(models, { dry: true });

    expect(report).toMatchObject({ dryRun: true, created: 3 });
    for (const model of models) {
      expect(await storedRule(`iot-events:${model.alarmModelName}`)).toBeNull();
    }
  });

  it('given a metric mapping that no model uses, then the report warns of it and the default metric applies', async () => {
    const report = await importModels(renamed(corpus('describe-boiler'), 'Boiler_unmapped'), {
      dry: true,
      metrics: [{ inputProperty: '$input.BoilerInput.temperature', metric: 'boiler.temp' }],
    });

    expect(report.warnings).toEqual([
      expect.stringContaining(
        'metric mapping $input.BoilerInput.temperature=boiler.temp applies to no model',
      ),
    ]);
    expect(report.models[0]?.notes).toContain(
      'metric temperature: the last path segment of $input.BoilerInput.sensors.temperature (map another with --metric, or metrics in the mutation)',
    );
  });

  it('given a new version of an imported model, then its rule is updated in place', async () => {
    // Prepare
    const model = renamed(corpus('describe-boiler'), 'Boiler_versions');
    await importModels(model);

    // Act
    const again = await importModels(model);
    const v4 = await importModels({
      ...model,
      alarmModelVersion: '4',
      alarmRule: {
        simpleRule: {
          inputProperty: '$input.BoilerInput.sensors.temperature',
          comparisonOperator: 'GREATER_OR_EQUAL',
          threshold: '95',
        },
      },
    });

    // Assess
    expect(again.models[0]?.outcome).toBe('UNCHANGED');
    expect(v4.models[0]).toMatchObject({
      outcome: 'UPDATED',
      ruleId: 'iot-events:Boiler_versions',
    });
    expect(await storedRule('iot-events:Boiler_versions')).toMatchObject({
      operator: 'GTE',
      threshold: 95,
      source: { version: '4' },
    });
    const rules = await api<{ rules: { items: { id: string }[] } }>(
      'query { rules(limit: 1000) { items { id } } }',
    );
    expect(
      rules.data?.rules.items.filter((rule) => rule.id === 'iot-events:Boiler_versions'),
    ).toHaveLength(1);

    // Act: deleted, then imported again
    await api('mutation { deleteRule(id: "iot-events:Boiler_versions") { deleted } }');
    const afterDelete = await importModels(model);

    // Assess
    expect(afterDelete.models[0]?.outcome).toBe('CREATED');
    expect(await storedRule('iot-events:Boiler_versions')).toMatchObject({
      source: { version: '3' },
    });
  });

  it('given models that cannot be rules, then each is refused with its reason and none is written', async () => {
    const report = await importModels(corpus('attribute-threshold'));

    expect(report.refused).toBe(5);
    expect(report.models[0]).toMatchObject({
      outcome: 'REFUSED',
      ruleId: null,
      reasons: [expect.stringContaining('names an input attribute, not a constant')],
    });
    expect(await storedRule('iot-events:Threshold_input')).toBeNull();
  });

  it('given no models or text that is not JSON, then it is a ValidationError saying what to pass', async () => {
    const empty = await api(IMPORT, { m: '[]' });
    const malformed = await api(IMPORT, { m: readFileSync(corpusFile('malformed'), 'utf8') });

    expect(empty.errors?.[0]).toMatchObject({
      errorType: 'ValidationError',
      message: expect.stringContaining('The list of alarm models is empty'),
    });
    // AppSync refuses an AWSJSON variable that is not JSON before any resolver runs.
    expect(malformed.data ?? null).toBeNull();
    expect(malformed.errors?.[0]?.message).toContain('AWSJSON');
  });

  it('given an operator, then the import is refused and nothing is written', async () => {
    const operator = await createUser(stack.outputs, 'operators');

    const answer = await graphql(stack.outputs.GraphQLUrl, operator.idToken, IMPORT, {
      m: JSON.stringify(generatedAlarmModels(1, 'ByOperator')),
    });

    expect(answer.errors?.[0]?.errorType).toBe('Unauthorized');
    expect(await storedRule('iot-events:ByOperator_0')).toBeNull();
  });

  it('given 1,000 models, then they import well within the rules function timeout (10 s)', async () => {
    const models = { alarmModels: generatedAlarmModels(1000, 'Thousand') };

    const started = performance.now();
    const report = await importModels(models);
    const elapsed = performance.now() - started;
    const again = performance.now();
    const unchanged = await importModels(models);
    const elapsedAgain = performance.now() - again;

    console.info(
      `importAlarmModels of 1,000 models: ${Math.round(elapsed)} ms created, ${Math.round(elapsedAgain)} ms unchanged`,
    );
    expect(report).toMatchObject({ created: 1000, refused: 0 });
    expect(unchanged.unchanged).toBe(1000);
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe('npm run import-iot-events on the local stack', () => {
  /** The local stack's outputs file, as `npm start` writes it. */
  function outputsFile(): string {
    const path = join(dir, 'outputs.json');
    writeFileSync(path, JSON.stringify({ [stackName]: stack.outputs }));
    return path;
  }

  function modelsFile(name: string, models: unknown): string {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(models));
    return path;
  }

  async function run(args: string[]) {
    const printed: string[] = [];
    const status = await main([...args, '--stack-outputs', outputsFile()], undefined, (text) =>
      printed.push(text),
    );
    return { status, output: printed.join('\n') };
  }

  it('given a file of models, then their rules exist and the table lists them', async () => {
    const file = modelsFile('script.json', generatedAlarmModels(2, 'Script'));

    const dry = await run([file, '--dry-run']);
    const dryRule = await storedRule('iot-events:Script_0');
    const real = await run([file, '--metric', '$input.Plant.metrics.metric_0=level']);

    expect(dry.status).toBe(0);
    expect(dryRule).toBeNull();
    expect(real.status).toBe(0);
    expect(real.output).toMatch(/^0\s+Script_0\s+1\s+CREATED\s+iot-events:Script_0$/m);
    expect(await storedRule('iot-events:Script_0')).toMatchObject({
      metric: 'level',
      createdBy: null,
      source: { kind: 'IOT_EVENTS', name: 'Script_0', version: '1' },
    });
  });

  it('given a refused model, then it exits 1', async () => {
    const { status, output } = await run([corpusFile('severities')]);

    expect(status).toBe(1);
    expect(output).toMatch(/^7\s+Severity_negative\s+1\s+REFUSED\s+-$/m);
  });

  it('given 1,000 models, then it imports them and says how long it took', async () => {
    const file = modelsFile('thousand.json', generatedAlarmModels(1000, 'ScriptThousand'));

    const { status, output } = await run([file]);

    expect(status).toBe(0);
    const summary = output.split('\n').at(-1) as string;
    console.info(`import-iot-events: ${summary}`);
    expect(summary).toMatch(/^1000 models in [\d.]+ s: 1000 created/);
  });
});

describe('an imported rule at work', () => {
  it('given an imported latched model, when readings breach it and clear, then its alert arrives and stays LATCHED', async () => {
    // Prepare
    const model = renamed(corpus('describe-boiler'), 'Boiler_alerts');
    await importModels(model);
    await ruleChangesApplied();
    const sub = await stackSubscription(
      stack,
      'subscription ($d: ID) { onAlert(deviceId: $d) { ruleId deviceId status severity value } }',
      { d: 'boiler-7' },
    );
    const pushed = () =>
      sub.received
        .map((d) => d.onAlert as { ruleId: string; status: string })
        .filter((alert) => alert.ruleId === 'iot-events:Boiler_alerts');
    const send = async (...values: number[]) => {
      const sent = await api<{ ingestEvents: { accepted: number } }>(
        'mutation ($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }',
        { input: values.map((value) => ({ deviceId: 'boiler-7', metric: 'temperature', value })) },
      );
      expect(sent.data?.ingestEvents.accepted).toBe(values.length);
    };

    // Act
    await send(80, 91);
    await waitFor(() => pushed().length >= 1, "the imported rule's alert");
    await send(70);
    await waitFor(() => pushed().some((alert) => alert.status === 'LATCHED'), 'the alert latched');
    await queueDrained(stack);

    // Assess
    expect(pushed()[0]).toEqual({
      ruleId: 'iot-events:Boiler_alerts',
      deviceId: 'boiler-7',
      status: 'FIRING',
      severity: 'CRITICAL',
      value: 91,
    });
    expect(pushed().map((alert) => alert.status)).toEqual(['FIRING', 'LATCHED']);
    sub.close();
  });
});
