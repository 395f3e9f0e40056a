import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import { graphql, type RealtimeSubscription } from '../support/appsync-client.ts';
import {
  queueDrained,
  ruleChangesApplied,
  stackSubscription,
  startTestStack,
} from '../support/local-stack.ts';
import { createUser, localAdmin, type TestUser } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by assertions, not types
type Json = Record<string, any>;

const RUN = randomUUID().slice(0, 8);
const ALERT_FIELDS = `id status value firedAt resolvedAt acknowledgedAt acknowledgedBy resolution silenced silenceId`;

let stack: LocalStack;
let admin: TestUser;
let operator: TestUser;
const operatorEmail = `states-operator-${RUN}@example.com`;

beforeAll(async () => {
  stack = await startTestStack();
  [admin, operator] = await Promise.all([
    localAdmin(stack.outputs),
    createUser(stack.outputs, 'operators', operatorEmail),
  ]);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const as =
  (user: TestUser) =>
  (query: string, variables: Json = {}) =>
    graphql<Json>(stack.outputs.GraphQLUrl, user.idToken, query, variables);

const start = Date.now() - 60_000;
let tick = 0;
/** Strictly increasing event times, so readings apply in the order they are sent. */
const nextTime = () => new Date(start + ++tick * 10).toISOString();

/** A rule for one device, in effect once the workers have it. */
async function createRule(deviceId: string, input: Json = {}): Promise<string> {
  const answer = await as(admin)(
    `mutation ($input: CreateRuleInput!) { createRule(input: $input) { id } }`,
    { input: { deviceId, metric: 'temperature', operator: 'GT', threshold: 60, ...input } },
  );
  expect(answer.errors).toBeUndefined();
  await ruleChangesApplied();
  return answer.data?.createRule.id as string;
}

/** Sends readings in one call, so they are evaluated in their order. */
async function send(deviceId: string, ...values: number[]): Promise<void> {
  const answer = await as(admin)(
    `mutation ($input: [EventInput!]!) { ingestEvents(input: $input) { rejected } }`,
    {
      input: values.map((value) => ({
        deviceId,
        metric: 'temperature',
        value,
        timestamp: nextTime(),
      })),
    },
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data?.ingestEvents.rejected).toBe(0);
}

/** The device's alerts as recorded, newest first. */
async function alertsOf(deviceId: string): Promise<Json[]> {
  const answer = await as(admin)(
    `query ($d: ID) { alerts(deviceId: $d) { items { ${ALERT_FIELDS} } } }`,
    { d: deviceId },
  );
  return answer.data?.alerts.items as Json[];
}

/** Waits for the device's newest alert to be in `status`, and returns it. */
function newestAlertIn(deviceId: string, status: string): Promise<Json> {
  return waitFor(async () => {
    const [alert] = await alertsOf(deviceId);
    return alert?.status === status ? alert : undefined;
  }, `${deviceId}'s alert ${status}`);
}

/** The device's open alerts. */
async function activeOf(deviceId: string): Promise<Json[]> {
  const answer = await as(admin)(
    `query ($d: ID) { activeAlerts(deviceId: $d) { items { id status } } }`,
    { d: deviceId },
  );
  return answer.data?.activeAlerts.items as Json[];
}

/** Every e-mail in the local inbox that names the device. */
async function emailsOf(deviceId: string): Promise<Json[]> {
  const url = `${stack.outputs.EmailInboxUrl.replace('localhost', '127.0.0.1')}/api/email`;
  const emails = (await (await fetch(url)).json()) as Json[];
  return emails.filter((email) => JSON.stringify([email.subject, email.text]).includes(deviceId));
}

function watch(deviceId: string): Promise<RealtimeSubscription> {
  return stackSubscription(
    stack,
    `subscription ($d: ID) { onAlert(deviceId: $d) { id status acknowledgedBy resolution } }`,
    { d: deviceId },
  );
}
const statusesPushed = (sub: RealtimeSubscription) =>
  sub.received.map((data) => (data.onAlert as Json).status as string);

const ACKNOWLEDGE = `mutation ($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT_FIELDS} } }`;

describe('latch and acknowledge', () => {
  it('given a latched rule, when its alert clears, then it stays LATCHED (and active) until an operator acknowledges it, which resolves it in their name, told by e-mail', async () => {
    // Prepare
    const deviceId = `latch-${RUN}`;
    await createRule(deviceId, { latch: true });
    const sub = await watch(deviceId);
    try {
      // Act: a breach, then the condition clears
      await send(deviceId, 70);
      await newestAlertIn(deviceId, 'FIRING');
      await send(deviceId, 50, 40);
      const latched = await newestAlertIn(deviceId, 'LATCHED');
      await queueDrained(stack);

      // Assess: latched, still active, told
      expect(latched).toMatchObject({ value: 70, resolvedAt: null });
      expect(await activeOf(deviceId)).toEqual([{ id: latched.id, status: 'LATCHED' }]);
      await waitFor(async () => (await emailsOf(deviceId)).length >= 1, 'the e-mails', 60_000);

      // Act: acknowledged
      const answer = await as(operator)(ACKNOWLEDGE, { id: latched.id });

      // Assess: the answer, the record, the push and the e-mail say who resolved it
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.acknowledgeAlert).toMatchObject({
        id: latched.id,
        status: 'RESOLVED',
        acknowledgedBy: operatorEmail,
        resolution: `acknowledged by ${operatorEmail}`,
      });
      const resolved = await newestAlertIn(deviceId, 'RESOLVED');
      expect(resolved).toMatchObject({
        id: latched.id,
        acknowledgedBy: operatorEmail,
        resolution: `acknowledged by ${operatorEmail}`,
        resolvedAt: resolved.acknowledgedAt,
      });
      expect(await activeOf(deviceId)).toEqual([]);
      await waitFor(() => statusesPushed(sub).includes('RESOLVED'), 'the resolution pushed');
      expect(statusesPushed(sub)).toEqual(['FIRING', 'LATCHED', 'RESOLVED']);
      await waitFor(
        async () =>
          (await emailsOf(deviceId)).some((email) =>
            String(email.text).includes(`acknowledged by ${operatorEmail}`),
          ),
        'the e-mail of the resolution',
        60_000,
      );

      // Act: the condition returns
      await send(deviceId, 80);

      // Assess: a new alert fires
      const next = await newestAlertIn(deviceId, 'FIRING');
      expect(next.id).not.toBe(latched.id);
    } finally {
      sub.close();
    }
  }, 180_000);

  it('given a firing alert, when an operator acknowledges it while it still breaches, then it is ACKNOWLEDGED, stays so on further breaches, and resolves when its condition clears', async () => {
    // Prepare
    const deviceId = `ack-${RUN}`;
    await createRule(deviceId, { latch: true });
    const sub = await watch(deviceId);
    try {
      await send(deviceId, 70);
      const firing = await newestAlertIn(deviceId, 'FIRING');

      // Act
      const answer = await as(operator)(ACKNOWLEDGE, { id: firing.id });
      const again = await as(admin)(ACKNOWLEDGE, { id: firing.id });

      // Assess: acknowledged in the first caller's name, pushed
      expect(answer.data?.acknowledgeAlert).toMatchObject({
        status: 'ACKNOWLEDGED',
        acknowledgedBy: operatorEmail,
      });
      expect(again.data?.acknowledgeAlert.acknowledgedBy).toBe(operatorEmail);
      await newestAlertIn(deviceId, 'ACKNOWLEDGED');
      await waitFor(() => statusesPushed(sub).includes('ACKNOWLEDGED'), 'the acknowledgement');
      await send(deviceId, 75);
      await queueDrained(stack);
      expect((await alertsOf(deviceId))[0]?.status).toBe('ACKNOWLEDGED');
      expect(await activeOf(deviceId)).toEqual([{ id: firing.id, status: 'ACKNOWLEDGED' }]);

      // Act: the condition clears
      await send(deviceId, 40);

      // Assess: resolved by its readings, not latched
      const resolved = await newestAlertIn(deviceId, 'RESOLVED');
      expect(resolved).toMatchObject({ id: firing.id, resolution: null });
      await waitFor(() => statusesPushed(sub).includes('RESOLVED'), 'the resolution pushed');
      expect(statusesPushed(sub).filter((s) => s !== 'ACKNOWLEDGED')).toEqual([
        'FIRING',
        'RESOLVED',
      ]);
    } finally {
      sub.close();
    }
  }, 120_000);

  it('given alerts listed by status, then each of the four statuses is accepted and a fifth is refused', async () => {
    for (const status of ['FIRING', 'ACKNOWLEDGED', 'LATCHED', 'RESOLVED']) {
      const answer = await as(admin)(
        `query ($s: AlertStatus) { alerts(status: $s, limit: 5) { items { status } } }`,
        { s: status },
      );
      expect(answer.errors).toBeUndefined();
      for (const item of answer.data?.alerts.items as Json[]) expect(item.status).toBe(status);
    }
    const bad = await as(admin)(`query { alerts(status: SNOOZED) { items { id } } }`);
    expect(bad.errors?.[0]?.message).toMatch(/SNOOZED/);
  });

  it('given an unknown alert, when it is acknowledged, then NotFound says which', async () => {
    const answer = await as(operator)(ACKNOWLEDGE, { id: `nope-${RUN}` });
    expect(answer.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    expect(answer.errors?.[0]?.message).toContain(`nope-${RUN}`);
  });
});
