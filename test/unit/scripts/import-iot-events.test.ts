import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ImportCommandError,
  main,
  parseArguments,
  reportTable,
  ruleStoreFrom,
} from '../../../scripts/import-iot-events.ts';
import {
  corpusFile,
  generatedAlarmModels,
  MemoryRuleStore,
} from '../../support/iot-events-corpus.ts';

function modelsFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'import-iot-events-')), 'models.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Runs the command against an in-memory rules table; its exit status, output and table. */
async function run(args: string[], store = new MemoryRuleStore()) {
  const printed: string[] = [];
  const status = await main(
    args,
    () => store,
    (text) => printed.push(text),
  );
  return { status, output: printed.join('\n'), store };
}

describe('import-iot-events arguments', () => {
  it('given a file and every option, then each is read', () => {
    const options = parseArguments([
      'models.json',
      '--dry-run',
      '--metric',
      '$input.Boiler.sensors.t=temperature',
      '--metric',
      '$input.A.`x=y`=level',
      '--severity',
      '3=warning',
      '--stack-outputs',
      'cdk-outputs.json',
      '--json',
    ]);

    expect(options).toMatchObject({
      file: 'models.json',
      dryRun: true,
      stackOutputs: 'cdk-outputs.json',
      json: true,
    });
    expect([...options.mapping.metrics]).toEqual([
      ['$input.Boiler.sensors.t', 'temperature'],
      ['$input.A.`x=y`', 'level'],
    ]);
    expect([...options.mapping.severities]).toEqual([[3, 'WARNING']]);
  });

  it('given only a file, then it imports for real into the local stack', () => {
    expect(parseArguments(['models.json'])).toMatchObject({
      dryRun: false,
      stackOutputs: '.local/outputs.json',
      json: false,
    });
  });

  it.each([
    [[], 'Which file?'],
    [['a.json', 'b.json'], 'One file at a time'],
    [['a.json', '--force'], 'Unknown option --force'],
    [['a.json', '--metric'], '--metric needs a value'],
    [['a.json', '--stack-outputs', '--dry-run'], '--stack-outputs needs a value'],
    [['a.json', '--metric', 'temperature'], '--metric takes inputProperty=metric'],
    [['a.json', '--metric', '$input.A.b='], '--metric takes inputProperty=metric'],
    [
      ['a.json', '--metric', '$input.A.b=two words'],
      'the metric of --metric number 1 may contain only',
    ],
    [['a.json', '--severity', 'high=CRITICAL'], '--severity takes number=LEVEL'],
    [['a.json', '--severity', '-1=INFO'], '--severity takes number=LEVEL'],
    [
      ['a.json', '--severity', '1=FATAL'],
      'the level of --severity number 1 must be one of INFO, WARNING, CRITICAL',
    ],
    [['a.json', '--severity', '99999999999=INFO'], 'must be a whole number from 0 to 2147483647'],
    [
      ['a.json', '--severity', '1=INFO', '--severity', '1=CRITICAL'],
      '--severity number 2 maps severity 1 again',
    ],
  ])('given %j, then it is refused saying %s', (args, message) => {
    expect(() => parseArguments(args)).toThrow(ImportCommandError);
    expect(() => parseArguments(args)).toThrow(message);
  });
});

describe('import-iot-events', () => {
  it('given models that all import, then it exits 0 and prints each as a row', async () => {
    const { status, output, store } = await run([modelsFile(generatedAlarmModels(3))]);

    expect(status).toBe(0);
    expect(store.rules.size).toBe(3);
    expect(output).toMatch(/^#\s+model\s+version\s+outcome\s+rule$/m);
    expect(output).toMatch(/^0\s+Generated_0\s+1\s+CREATED\s+iot-events:Generated_0$/m);
    expect(output).toContain('3 created, 0 updated, 0 unchanged, 0 refused.');
  });

  it('given a model refused, then it exits 1 and says why under its row', async () => {
    const { status, output } = await run([corpusFile('attribute-threshold')]);

    expect(status).toBe(1);
    expect(output).toMatch(/^0\s+Threshold_input\s+1\s+REFUSED\s+-$/m);
    expect(output).toContain(
      '    refused: threshold $input.Limits.maxTemperature names an input attribute',
    );
  });

  it('given a dry run, then nothing is written and the table says so', async () => {
    const { status, output, store } = await run([corpusFile('describe-boiler'), '--dry-run']);

    expect(status).toBe(0);
    expect(store.writes).toBe(0);
    expect(output.split('\n')[0]).toBe('Dry run: nothing was written.');
    expect(output).toMatch(/^#\s+model\s+version\s+would be\s+rule$/m);
    expect(output).toContain(
      '    to configure: SNS arn:aws:sns:eu-west-1:123456789012:boiler-alarms: subscribe',
    );
  });

  it('given a --metric that no model uses, then it imports and warns that the mapping applied to nothing', async () => {
    const { status, output } = await run([
      corpusFile('describe-boiler'),
      '--metric',
      '$input.Boiler.sensor.temp=temperature',
    ]);

    expect(status).toBe(0);
    expect(output).toContain(
      'warning: metric mapping $input.Boiler.sensor.temp=temperature applies to no model',
    );
  });

  it('given --json, then the report is printed as the mutation returns it', async () => {
    const { output } = await run([corpusFile('describe-boiler'), '--json']);

    expect(JSON.parse(output)).toMatchObject({ created: 1, models: [{ outcome: 'CREATED' }] });
  });

  it.each([
    ['malformed', 'is not JSON'],
    ['empty-list', 'The list of alarm models is empty'],
    ['not-alarm-models', 'No alarm models found'],
  ])('given the %s file, then it is refused before anything is written', async (name, message) => {
    const store = new MemoryRuleStore();

    await expect(run([corpusFile(name)], store)).rejects.toThrow(ImportCommandError);
    await expect(run([corpusFile(name)], store)).rejects.toThrow(message);
    expect(store.writes).toBe(0);
  });

  it('given a file that does not exist, then it says to check the path', async () => {
    await expect(run(['/nonexistent/models.json'])).rejects.toThrow(
      'Cannot read /nonexistent/models.json: check the path.',
    );
  });
});

describe('the rules table of a stack', () => {
  it.each([
    ['not json', 'Cannot read the stack outputs'],
    [JSON.stringify({ TelemetryAlerts: { GraphQLUrl: 'x' } }), 'No RulesTableName in'],
  ])('given outputs %s, then it is refused saying what to do', (content, message) => {
    expect(() => ruleStoreFrom('outputs.json', () => content)).toThrow(message);
  });

  it('given outputs that cannot be read, then it says to start or deploy the stack', () => {
    expect(() =>
      ruleStoreFrom('missing.json', () => {
        throw new Error('ENOENT');
      }),
    ).toThrow('start the local stack (npm start) or pass --stack-outputs cdk-outputs.json');
  });
});

describe('the report table', () => {
  it('given a report with nothing under a model, then its row stands alone and the totals close it', () => {
    const table = reportTable(
      {
        dryRun: false,
        created: 0,
        updated: 1,
        unchanged: 0,
        refused: 0,
        warnings: [],
        models: [
          {
            index: 0,
            name: 'M',
            version: null,
            outcome: 'UPDATED',
            ruleId: 'iot-events:M',
            reasons: [],
            toConfigure: [],
            notes: [],
            ignored: [],
          },
        ],
      },
      1234,
    );

    expect(table).toBe(
      [
        '#  model  version  outcome  rule',
        '0  M      -        UPDATED  iot-events:M',
        '',
        '1 model in 1.2 s: 0 created, 1 updated, 0 unchanged, 0 refused.',
      ].join('\n'),
    );
  });
});
