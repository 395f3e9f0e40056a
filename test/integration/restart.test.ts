import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalStackOutputs } from '../../local/stack.ts';
import { graphql } from '../support/appsync-client.ts';
import { freePorts } from '../../local/free-ports.ts';
import { waitFor } from '../support/wait-for.ts';
import { localAdmin } from '../support/users.ts';

const stateDir = mkdtempSync(join(tmpdir(), 'telemetry-restart-'));
const outputsFile = join(stateDir, 'outputs.json');
const running = new Set<ChildProcess>();

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

async function portsEnv(): Promise<Record<string, string>> {
  const names = [
    'PORT',
    'HTTPS_PORT',
    'DYNAMODB_PORT',
    'SQS_PORT',
    'SMTP_PORT',
    'INBOX_PORT',
    'COGNITO_PORT',
  ];
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((name, i) => [name, String(ports[i])]));
}

/** Runs `npm start`'s entry point as a user would, with state under `stateDir`. */
async function start(
  ports: Record<string, string>,
): Promise<{ child: ChildProcess; outputs: LocalStackOutputs }> {
  rmSync(outputsFile, { force: true });
  const child = spawn(
    process.execPath,
    [new URL('../../local/start.ts', import.meta.url).pathname],
    {
      env: {
        ...process.env,
        ...ports,
        LOCAL_STATE_DIR: stateDir,
        LOG_LEVEL: 'ERROR',
        VISIBILITY_TIMEOUT_SECONDS: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  child.on('exit', () => running.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await waitFor(
    () => existsSync(outputsFile) || child.exitCode !== null,
    'the stack to write outputs.json',
    30_000,
  );
  if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
  const outputs = (
    JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, LocalStackOutputs>
  ).TelemetryAlerts;
  if (!outputs) throw new Error('outputs.json has no TelemetryAlerts stack');
  return { child, outputs };
}

describe('npm start', () => {
  it('given an acknowledged reading, when the stack is killed with SIGKILL right after, then a restart keeps the rule, the reading, the user pool and its signing key and the demo device credential', async () => {
    const ports = await portsEnv();
    const first = await start(ports);
    const { GraphQLUrl: url, DemoDeviceToken: deviceToken } = first.outputs;
    const { idToken: adminToken } = await localAdmin(first.outputs);
    const rule = await graphql<{ createRule: { id: string } }>(
      url,
      adminToken,
      'mutation { createRule(input: { metric: "level", operator: LT, threshold: 5 }) { id } }',
    );
    const ack = await graphql(
      url,
      deviceToken,
      'mutation { ingestEvent(input: { id: "survivor", deviceId: "demo-K1", metric: "level", value: 50 }) { id } }',
    );
    expect(ack.data).toEqual({ ingestEvent: { id: 'survivor' } });
    first.child.kill('SIGKILL');
    await waitFor(
      () => first.child.exitCode !== null || first.child.signalCode !== null,
      'the stack to die',
    );

    const second = await start(ports);
    // The token signed before the restart is still accepted: the user pool kept its key.
    expect(second.outputs.DemoDeviceToken).toBe(deviceToken);
    expect(second.outputs.UserPoolId).toBe(first.outputs.UserPoolId);
    const events = await waitFor(
      async () => {
        const result = await graphql<{ events: { items: { id: string }[] } }>(
          url,
          adminToken,
          'query { events(deviceId: "demo-K1") { items { id } } }',
        );
        return result.data?.events.items.length ? result.data.events.items : null;
      },
      'the acknowledged reading after restart',
      30_000,
    );
    expect(events).toEqual([{ id: 'survivor' }]);
    const rules = await graphql<{ rule: { id: string } | null }>(
      url,
      adminToken,
      `query { rule(id: "${rule.data?.createRule.id}") { id } }`,
    );
    expect(rules.data?.rule?.id).toBe(rule.data?.createRule.id);

    // Ctrl-C stops everything cleanly.
    second.child.kill('SIGINT');
    await waitFor(() => second.child.exitCode !== null, 'a clean exit on SIGINT', 15_000);
    expect(second.child.exitCode).toBe(0);
  });
});

describe('crash safety', () => {
  it('given four clients ingesting, when the whole stack is killed with SIGKILL, then after a restart every acknowledged reading is stored exactly once (3 trials)', async () => {
    const ports = await portsEnv();
    let stack = await start(ports);
    for (let trial = 1; trial <= 3; trial++) {
      const { GraphQLUrl: url, DemoDeviceToken: deviceToken } = stack.outputs;
      const acknowledged = new Map<string, Set<string>>();
      let stop = false;
      const client = async (c: number) => {
        const deviceId = `demo-crash-${trial}-${c}`;
        const acked = new Set<string>();
        acknowledged.set(deviceId, acked);
        for (let batch = 0; !stop; batch++) {
          const input = Array.from({ length: 20 }, (_, i) => ({
            id: `b${batch}-${i}`,
            deviceId,
            metric: 'level',
            value: i,
          }));
          try {
            const result = await graphql<{
              ingestEvents: { results: { event: { id: string } | null }[] };
            }>(
              url,
              deviceToken,
              'mutation($input: [EventInput!]!) { ingestEvents(input: $input) { results { event { id } } } }',
              { input },
            );
            for (const r of result.data?.ingestEvents.results ?? []) {
              if (r.event) acked.add(r.event.id);
            }
          } catch {
            return; // the stack is gone: this call was never acknowledged
          }
        }
      };
      const clients = [0, 1, 2, 3].map(client);
      await waitFor(
        () => [...acknowledged.values()].every((acked) => acked.size >= 100 + trial * 20),
        'some acknowledged readings',
      );
      stack.child.kill('SIGKILL');
      stop = true;
      await Promise.all(clients);
      await waitFor(
        () => stack.child.exitCode !== null || stack.child.signalCode !== null,
        'the stack to die',
      );

      stack = await start(ports);
      for (const [deviceId, acked] of acknowledged) {
        const stored = await waitFor(
          async () => {
            const ids = await storedIds(stack.outputs, deviceId);
            return [...acked].every((id) => ids.includes(id)) ? ids : null;
          },
          `every acknowledged reading of ${deviceId} after restart`,
          30_000,
        );
        expect(new Set(stored).size).toBe(stored.length);
      }
    }
    stack.child.kill('SIGINT');
    await waitFor(() => stack.child.exitCode !== null, 'a clean exit', 15_000);
  }, 180_000);
});

/** Every stored reading id of a device, following nextToken. */
async function storedIds(outputs: LocalStackOutputs, deviceId: string): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | null = null;
  do {
    const page: {
      data?: { events: { items: { id: string }[]; nextToken: string | null } } | null;
    } = await graphql(
      outputs.GraphQLUrl,
      (await localAdmin(outputs)).idToken,
      'query($d: ID!, $t: String) { events(deviceId: $d, limit: 1000, nextToken: $t) { items { id } nextToken } }',
      { d: deviceId, t: nextToken },
    );
    ids.push(...(page.data?.events.items ?? []).map((item) => item.id));
    nextToken = page.data?.events.nextToken ?? null;
  } while (nextToken);
  return ids;
}
