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

const SNOOZE = `mutation ($id: ID!, $s: Int!) { snoozeAlert(id: $id, seconds: $s) { ${ALERT_FIELDS} } }`;
const RESET = `mutation ($id: ID!) { resetAlert(id: $id) { ${ALERT_FIELDS} } }`;

describe('snooze', () => {
  it('given a firing alert snoozed for an hour, then it shows the snooze, its e-mails are held while the snooze lasts, and ending the snooze e-mails where it stands', async () => {
    // Prepare: a repeating rule, its alert e-mailed once
    const deviceId = `snooze-${RUN}`;
    const ruleId = await createRule(deviceId, { repeatIntervalSeconds: 1 });
    await send(deviceId, 70);
    const firing = await newestAlertIn(deviceId, 'FIRING');
    await waitFor(async () => (await emailsOf(deviceId)).length >= 1, 'the first e-mail', 60_000);

    // Act
    const answer = await as(operator)(SNOOZE, { id: firing.id, s: 3600 });

    // Assess: the answer and the record show the snooze, a silence made by the caller
    expect(answer.errors).toBeUndefined();
    const silenceId = answer.data?.snoozeAlert.silenceId as string;
    expect(answer.data?.snoozeAlert).toMatchObject({
      id: firing.id,
      status: 'FIRING',
      silenced: true,
    });
    expect((await alertsOf(deviceId))[0]).toMatchObject({ silenced: true, silenceId });
    const silence = (
      await as(operator)(
        `query ($id: ID!) { silence(id: $id) { state comment createdBy startsAt endsAt matchers { ruleId deviceId } } }`,
        { id: silenceId },
      )
    ).data?.silence;
    expect(silence).toMatchObject({
      state: 'ACTIVE',
      createdBy: operatorEmail,
      matchers: { ruleId, deviceId },
    });
    expect(silence.comment).toContain(firing.id);
    expect(Date.parse(silence.endsAt) - Date.parse(silence.startsAt)).toBe(3600_000);

    // Assess: once every worker has the snooze, repeats (every second) are pushed, and no
    // e-mail goes out
    await ruleChangesApplied();
    await queueDrained(stack);
    const emailed = (await emailsOf(deviceId)).length;
    const sub = await watch(deviceId);
    try {
      await waitFor(() => statusesPushed(sub).length >= 2, 'two repeats pushed', 20_000);
    } finally {
      sub.close();
    }
    await queueDrained(stack);
    expect((await emailsOf(deviceId)).length).toBe(emailed);

    // Act: the snooze ends early
    const expired = await as(operator)(`mutation ($id: ID!) { expireSilence(id: $id) { state } }`, {
      id: silenceId,
    });
    expect(expired.data?.expireSilence.state).toBe('EXPIRED');

    // Assess: the held alert is told: still firing
    await waitFor(
      async () => (await emailsOf(deviceId)).length > emailed,
      'the e-mail at the end of the snooze',
      60_000,
    );
    await waitFor(
      async () => (await alertsOf(deviceId))[0]?.silenced === false,
      'the alert released',
    );
  }, 180_000);

  it.each([
    ['59 seconds', 59],
    ['7 days and a second', 604_801],
    ['0', 0],
    ['a negative number', -60],
  ])(
    'given %s, then the snooze is refused with a ValidationError saying the range, and no silence is made',
    async (_case, seconds) => {
      const deviceId = `snooze-bad-${RUN}`;
      const answer = await as(operator)(SNOOZE, { id: `any-${RUN}`, s: seconds });
      expect(answer.errors?.[0]).toMatchObject({ errorType: 'ValidationError' });
      expect(answer.errors?.[0]?.message).toMatch(
        /seconds must be a whole number of seconds from 60/,
      );
      const listed = await as(operator)(`query { silences(limit: 1000) { items { comment } } }`);
      expect(JSON.stringify(listed.data)).not.toContain(deviceId);
    },
  );

  it('given an unknown alert, when it is snoozed, then NotFound says which', async () => {
    const answer = await as(operator)(SNOOZE, { id: `nope-${RUN}`, s: 3600 });
    expect(answer.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    expect(answer.errors?.[0]?.message).toContain(`nope-${RUN}`);
  });
});

describe('reset', () => {
  it('given a firing alert of a for-2 rule, when an operator resets it, then it resolves in their name and the next breaches fire a new alert after counting to 2 again', async () => {
    // Prepare
    const deviceId = `reset-${RUN}`;
    await createRule(deviceId, { forReadings: 2 });
    const sub = await watch(deviceId);
    try {
      await send(deviceId, 70, 71);
      const firing = await newestAlertIn(deviceId, 'FIRING');

      // Act
      const answer = await as(operator)(RESET, { id: firing.id });

      // Assess: resolved, saying who reset it
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.resetAlert).toMatchObject({
        id: firing.id,
        status: 'RESOLVED',
        resolution: `reset by ${operatorEmail}`,
      });
      const resolved = await newestAlertIn(deviceId, 'RESOLVED');
      expect(resolved).toMatchObject({
        id: firing.id,
        resolution: `reset by ${operatorEmail}`,
        resolvedAt: answer.data?.resetAlert.resolvedAt,
      });
      await waitFor(() => statusesPushed(sub).includes('RESOLVED'), 'the reset pushed');
      await waitFor(
        async () =>
          (await emailsOf(deviceId)).some((email) =>
            String(email.text).includes(`reset by ${operatorEmail}`),
          ),
        'the e-mail of the reset',
        60_000,
      );

      // Act: still breaching: one reading is not enough any more, two are
      await send(deviceId, 72);
      await queueDrained(stack);
      expect(await activeOf(deviceId)).toEqual([]);
      await send(deviceId, 73);

      // Assess
      const next = await newestAlertIn(deviceId, 'FIRING');
      expect(next.id).not.toBe(firing.id);
    } finally {
      sub.close();
    }
  }, 120_000);

  it('given a resolved alert, when it is reset, then a ValidationError says it is resolved', async () => {
    const deviceId = `reset-resolved-${RUN}`;
    await createRule(deviceId);
    await send(deviceId, 70, 40);
    const resolved = await newestAlertIn(deviceId, 'RESOLVED');
    const answer = await as(operator)(RESET, { id: resolved.id });
    expect(answer.errors?.[0]).toMatchObject({ errorType: 'ValidationError' });
    expect(answer.errors?.[0]?.message).toContain(`Alert '${resolved.id}' is resolved`);
    const snoozed = await as(operator)(SNOOZE, { id: resolved.id, s: 3600 });
    expect(snoozed.errors?.[0]?.message).toContain('only an open alert can be snoozed');
  });

  it('given an unknown alert, when it is reset, then NotFound says which', async () => {
    const answer = await as(operator)(RESET, { id: `nope-${RUN}` });
    expect(answer.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    expect(answer.errors?.[0]?.message).toContain(`nope-${RUN}`);
  });
});
