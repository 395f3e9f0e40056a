import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqsEvaluationQueue } from '../../adapters/sqs-evaluation-queue.ts';
import type { Reading } from '../../domain/reading.ts';
import { tables } from '../../infra/resources.ts';
import { startDynamoDb, startSqsAndSns } from '../../local/emulators.ts';
import { tableSettled } from '../../local/provision.ts';
import { freePort, freePorts, freeStackPorts } from '../../local/free-ports.ts';
import type { LocalStack, LocalStackOutputs, LocalStackPorts } from '../../local/stack.ts';
import { ruleChangesApplied, stackApi, startTestStack } from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'telemetry-settings-'));
let stack: LocalStack | undefined;
// One set of ports for every start: the handlers, imported by the first, keep their clients.
let ports: LocalStackPorts;

beforeAll(async () => {
  ports = await freeStackPorts();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
  stack = undefined;
});

afterAll(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

const api = stackApi(() => stack as LocalStack);

/**
 * Sends readings to the evaluation queue kept under the state directory while no stack runs:
 * the queue emulator alone, over the same folder, with the real queue adapter.
 */
async function leaveWaiting(outputs: LocalStackOutputs, readings: readonly Reading[]) {
  const queues = await startSqsAndSns({
    host: '127.0.0.1',
    port: await freePort(),
    dataDir: join(stateDir, 'queues'),
    region: outputs.Region,
  });
  try {
    const sqs = new SQSClient({
      region: outputs.Region,
      endpoint: queues.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const failed = await new SqsEvaluationQueue(sqs, outputs.EvaluationQueueUrl).enqueue(readings);
    expect(failed.size).toBe(0);
  } finally {
    await queues.close();
  }
}

describe('a queue setting changed between two starts over the same state', () => {
  it('given a reading waiting in the evaluation queue, when the stack starts again with another visibility timeout and maxReceiveCount, then it runs, the queue has the new attributes, each change is printed in one line, and the reading is evaluated', async () => {
    // Prepare: a stack over the state directory with a rule, then stopped with a reading
    // waiting in its queue.
    stack = await startTestStack({
      stateDir,
      ports,
      queue: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 },
    });
    const rule = await api<{ createRule: { id: string } }>(
      'mutation { createRule(input: { deviceId: "S1", metric: "temperature", operator: GT, threshold: 60 }) { id } }',
    );
    expect(rule.errors).toBeUndefined();
    await ruleChangesApplied();
    const { outputs } = stack;
    await stack.stop();
    stack = undefined;
    await leaveWaiting(outputs, [
      {
        id: 'waiting',
        deviceId: 'S1',
        metric: 'temperature',
        value: 75,
        timestamp: new Date().toISOString(),
      },
    ]);
    const printed = vi.spyOn(console, 'log');

    // Act
    stack = await startTestStack({
      stateDir,
      ports,
      queue: { visibilityTimeoutSeconds: 7, maxReceiveCount: 4 },
    });

    // Assess
    const sqs = new SQSClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.SqsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.outputs.EvaluationQueueUrl,
        AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'],
      }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('7');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: 4 });
    expect(printed).toHaveBeenCalledWith(
      'Applied VisibilityTimeout 1 → 7 to queue telemetry-readings',
    );
    expect(printed).toHaveBeenCalledWith(
      'Applied RedrivePolicy maxReceiveCount 2 → 4 to queue telemetry-readings',
    );
    const alerts = await waitFor(async () => {
      const result = await api<{ alerts: { items: { ruleId: string; value: number }[] } }>(
        'query { alerts(deviceId: "S1") { items { ruleId value } } }',
      );
      return result.data?.alerts.items.length ? result.data.alerts.items : null;
    }, 'the waiting reading to fire an alert');
    expect(alerts).toEqual([{ ruleId: rule.data?.createRule.id, value: 75 }]);
  });

  it('given the same settings again, when the stack starts, then nothing is applied', async () => {
    // Prepare: a stack over the state directory with these settings, stopped.
    const settings = { visibilityTimeoutSeconds: 7, maxReceiveCount: 4 };
    stack = await startTestStack({ stateDir, ports, queue: settings });
    await stack.stop();
    const printed = vi.spyOn(console, 'log');

    // Act
    stack = await startTestStack({ stateDir, ports, queue: settings });

    // Assess
    expect(printed.mock.calls.filter(([line]) => String(line).startsWith('Applied'))).toEqual([]);
  });
});

describe('npm start over a kept table this version cannot take', () => {
  const dir = mkdtempSync(join(tmpdir(), 'telemetry-kept-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a callback against the DynamoDB emulator over the state's tables, then stops it. */
  const withTables = async <T>(use: (dynamodb: DynamoDBClient) => Promise<T>): Promise<T> => {
    const server = await startDynamoDb({
      host: '127.0.0.1',
      port: await freePort(),
      dataDir: join(dir, 'dynamodb'),
    });
    try {
      return await use(
        new DynamoDBClient({
          region: 'us-east-1',
          endpoint: server.url,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        }),
      );
    } finally {
      await server.close();
    }
  };

  it('given an Episodes table kept with another key, when npm start runs, then it stops with one line naming the folder to remove and what is lost, and the table keeps its item', async () => {
    // Prepare
    const name = tables.episodes.id;
    await withTables(async (dynamodb) => {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
      await tableSettled(dynamodb, name, 'active');
      await dynamodb.send(new PutItemCommand({ TableName: name, Item: { id: { S: 'kept' } } }));
    });
    const names = [
      'PORT',
      'HTTPS_PORT',
      'CONSOLE_PORT',
      'DYNAMODB_PORT',
      'SQS_PORT',
      'SMTP_PORT',
      'INBOX_PORT',
      'COGNITO_PORT',
    ];
    const ports = await freePorts(names.length);
    const portsEnv = Object.fromEntries(names.map((name, i) => [name, String(ports[i])]));

    // Act
    child = spawn(process.execPath, [new URL('../../local/start.ts', import.meta.url).pathname], {
      env: {
        ...process.env,
        ...portsEnv,
        LOCAL_STATE_DIR: dir,
        LOG_LEVEL: 'ERROR',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const running = child;
    const code = await new Promise<number | null>((resolve) => running.on('exit', resolve));

    // Assess
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `The Episodes table kept in ${join(dir, 'dynamodb')} has the key id (S), where its definition has ruleId (S) + deviceId (S), and no table's key can change`,
    );
    expect(lines[0]).toContain(`remove ${join(dir, 'dynamodb')} to start with empty tables`);
    const items = await withTables(
      async (dynamodb) => (await dynamodb.send(new ScanCommand({ TableName: name }))).Items,
    );
    expect(items).toEqual([{ id: { S: 'kept' } }]);
  });
});
