import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSha256 } from '../../adapters/clients/sha256.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  queueDrained,
  ruleChangesApplied,
  stackApi,
  stackSubscription,
  startTestStack,
} from '../support/local-stack.ts';
import {
  type Caller,
  callerNames,
  callers,
  type Outcome,
  type RootField,
  roleMatrix,
  rootFields,
  withRoleMatrixTable,
} from '../support/role-matrix.ts';
import { createUser, localAdmin } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';
import { type Frame, openRealtime, type RawResponse, rawPost } from '../support/wire-probe.ts';
import type { RealtimeSubscription } from '../../local/realtime-client.ts';
import { tamperedToken } from '../support/test-user-pool.ts';

// Every root field called as every kind of caller (test/support/role-matrix.ts), against one
// stack: the answer must be the table's, in AppSync's shape, and a refused mutation must leave
// the store as it was. Each mutation gets valid arguments and objects of its own (a rule, an
// alert, a credential, a device id), so that only authorization can refuse it and one case
// cannot hide another's effect.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by assertions, not types
type Json = Record<string, any>;

const repoRoot = new URL('../../', import.meta.url);
const RUN = randomUUID().slice(0, 8);
/** Device ids the in-scope credential covers; every reading and rule of a case is for one. */
const IN_SCOPE_PREFIX = `rm-${RUN}-`;
/** The out-of-scope credential covers these, and never a case's device. */
const OTHER_PREFIX = `rm-other-${RUN}-`;
/** The device whose readings and alert the read cases ask for. */
const SEED_DEVICE = `${IN_SCOPE_PREFIX}seed`;
/** The device publishAlert cases publish for, and every onAlert case listens to. */
const PUBLISHED_DEVICE = `${IN_SCOPE_PREFIX}published`;
const ALERT_METRIC = `alerting-${RUN}`;
const CONCURRENCY = 8;

/** How a caller authenticates: headers it sends as they are, or SigV4 with a key pair. */
type Auth =
  | { kind: 'headers'; headers: Record<string, string> }
  | { kind: 'iam'; accessKeyId: string; secretAccessKey: string };

let stack: LocalStack;
let stateDir: string;
const admin = stackApi(() => stack);
const auths = {} as Record<Caller, Auth>;
/** The alert each caller's acknowledgeAlert, snoozeAlert and resetAlert case acts on. */
const alertOf = new Map<string, string>();
/** The actions on one alert the matrix tries, each on alerts of its own. */
const ALERT_ACTIONS = ['acknowledge', 'snooze', 'reset'] as const;
type AlertAction = (typeof ALERT_ACTIONS)[number];
const alertKey = (action: AlertAction, caller: string) => `${action} ${caller}`;

/** The alert of `id` as stored, as an admin reads it through the API. */
async function storedAlert(id: string): Promise<Json | undefined> {
  const answer = await admin<Json>(
    `query ($r: ID) { alerts(ruleId: $r, limit: 1000) { items { id status acknowledgedAt silenced silenceId } } }`,
    { r: alertRuleId },
  );
  return (answer.data?.alerts.items as Json[]).find((item) => item.id === id);
}
let alertRuleId: string;
/** The stack's first admin, listening to onAlert for PUBLISHED_DEVICE from the start. */
let publishedWatch: RealtimeSubscription;

// ---------------------------------------------------------------------------------------------
// Calls

function sigV4(auth: Extract<Auth, { kind: 'iam' }>, path: string, body: string) {
  const url = new URL(stack.outputs.GraphQLUrl);
  return new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey },
    region: stack.outputs.Region,
    service: 'appsync',
    sha256: NodeSha256,
  })
    .sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path,
        headers: { 'content-type': 'application/json', host: url.host },
        body,
      }),
    )
    .then((signed) => signed.headers as Record<string, string>);
}

/** Posts a GraphQL request as `auth` would. */
async function post(auth: Auth, query: string, variables: Json): Promise<RawResponse> {
  const body = JSON.stringify({ query, variables });
  const { GraphQLUrl } = stack.outputs;
  const headers =
    auth.kind === 'iam'
      ? await sigV4(auth, new URL(GraphQLUrl).pathname, body)
      : { 'content-type': 'application/json', ...auth.headers };
  return rawPost(GraphQLUrl, body, headers);
}

interface RealtimeAnswer {
  /** `connection_ack` or `connection_error`. */
  connect: Frame;
  /** `start_ack` or `error`, when the connection was acknowledged. */
  start?: Frame;
  /** Every data frame the subscription got, while it is open. */
  data: () => Frame[];
  close(): Promise<void>;
}

/** Connects to the real-time endpoint and starts a subscription, as `auth` would. */
async function subscribe(auth: Auth, query: string, variables: Json): Promise<RealtimeAnswer> {
  const { GraphQLUrl, RealtimeUrl } = stack.outputs;
  const graphqlPath = new URL(GraphQLUrl).pathname;
  const host = new URL(GraphQLUrl).host;
  const probe = await openRealtime(
    RealtimeUrl,
    auth.kind === 'iam'
      ? await sigV4(auth, `${graphqlPath}/connect`, '{}')
      : { host, ...auth.headers },
  );
  const answer: RealtimeAnswer = {
    connect: {},
    data: () => probe.frames.filter((frame) => frame.type === 'data'),
    close: () => probe.close(),
  };
  probe.send({ type: 'connection_init' });
  answer.connect = await probe.next(
    (frame) => frame.type === 'connection_ack' || frame.type === 'connection_error',
  );
  if (answer.connect.type !== 'connection_ack') return answer;
  const data = JSON.stringify({ query, variables });
  const authorization =
    auth.kind === 'iam' ? await sigV4(auth, graphqlPath, data) : { host, ...auth.headers };
  probe.send({ id: 'matrix', type: 'start', payload: { data, extensions: { authorization } } });
  answer.start = await probe.next(
    (frame) => frame.id === 'matrix' && (frame.type === 'start_ack' || frame.type === 'error'),
  );
  return answer;
}

/** Runs `work` on every item, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Forged user-pool tokens

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const partOf = (token: string, index: number): Json =>
  JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Json;

function signedJwt(header: Json, claims: Json, key: KeyObject): string {
  const unsigned = `${base64url(header)}.${base64url(claims)}`;
  return `${unsigned}.${sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
}

/**
 * Tokens each wrong in one way only: the admin's own claims and key id, then expired (signed
 * with the pool's real key, kept under the stack's state directory), naming another pool as
 * issuer (real key), signed with another key, unsigned; and a viewer's real token whose
 * groups were rewritten.
 */
function forgedTokens(adminToken: string, viewerToken: string) {
  const poolKey = createPrivateKey(readFileSync(join(stateDir, 'user-pool', 'signing-key.pem')));
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const header = partOf(adminToken, 0);
  const claims = partOf(adminToken, 1);
  const now = Math.floor(Date.now() / 1000);
  return {
    expiredJwt: signedJwt(
      header,
      { ...claims, auth_time: now - 7200, iat: now - 7200, exp: now - 3600 },
      poolKey,
    ),
    otherIssuerJwt: signedJwt(
      header,
      { ...claims, iss: `${stack.outputs.CognitoEndpoint}/${stack.outputs.Region}_0therPool` },
      poolKey,
    ),
    otherKeyJwt: signedJwt(header, claims, otherKey),
    algNoneJwt: `${base64url({ ...header, alg: 'none' })}.${base64url(claims)}.`,
    tamperedJwt: tamperedToken(viewerToken, { 'cognito:groups': ['admins'] }),
  };
}

// ---------------------------------------------------------------------------------------------
// What each field is called with, and how its effect shows in the store

interface Prepared {
  variables: Json;
  /** Read as the admin once every call is done and the queue drained: did the call take effect? */
  changed?: () => Promise<boolean>;
}

interface FieldProbe {
  document: string;
  /** Valid arguments, and objects of the case's own (`key` is unique to the case). */
  prepare(key: string, caller: Caller): Promise<Prepared>;
  /** What an allowed query's answer shows of the stack's data. */
  shows?(data: Json): void;
}

const device = (key: string) => `${IN_SCOPE_PREFIX}${key}`;

async function storedReadings(deviceId: string): Promise<number> {
  const answer = await admin<Json>(`query ($d: ID!) { events(deviceId: $d) { items { id } } }`, {
    d: deviceId,
  });
  return (answer.data?.events.items as unknown[]).length;
}

async function newRule(deviceId: string): Promise<string> {
  const answer = await admin<Json>(
    `mutation ($input: CreateRuleInput!) { createRule(input: $input) { id } }`,
    { input: { deviceId, metric: 'temperature', operator: 'GT', threshold: 1 } },
  );
  return answer.data?.createRule.id as string;
}

async function storedRule(id: string): Promise<Json | null> {
  const answer = await admin<Json>(
    `query ($id: ID!) { rule(id: $id) { id threshold enabled updatedAt updatedBy } }`,
    { id },
  );
  return answer.data?.rule as Json | null;
}

async function newCredential(name: string, scope: Json): Promise<{ id: string; token: string }> {
  const answer = await admin<Json>(
    `mutation ($input: CreateDeviceCredentialInput!) {
      createDeviceCredential(input: $input) { credential { id } token }
    }`,
    { input: { name, ...scope } },
  );
  const created = answer.data?.createDeviceCredential as Json;
  return { id: created.credential.id as string, token: created.token as string };
}

async function storedDevice(id: string): Promise<Json | null> {
  const answer = await admin<Json>(`query ($id: ID!) { device(id: $id) { id name } }`, { id });
  return answer.data?.device as Json | null;
}

/**
 * Puts a device in the inventory for each caller's updateDevice and deleteDevice case (a
 * reading of each), and waits until every one is there.
 */
async function seedDevices(): Promise<void> {
  const ids = callerNames.flatMap((caller) => [
    device(`updateDevice-${caller}`),
    device(`deleteDevice-${caller}`),
  ]);
  const ingested = await admin<Json>(
    `mutation ($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`,
    { input: ids.map((deviceId) => ({ deviceId, metric: 'temperature', value: 1 })) },
  );
  expect(ingested.data?.ingestEvents.accepted).toBe(ids.length);
  await waitFor(async () => {
    const present = await Promise.all(ids.map((id) => storedDevice(id)));
    return present.every((found) => found !== null);
  }, 'a device in the inventory for each updateDevice and deleteDevice case');
}

let credentialsAfter: Promise<Json[]> | undefined;
/** Every device credential, as the admin lists them once every call is done. */
function storedCredentials(): Promise<Json[]> {
  credentialsAfter ??= (async () => {
    const items: Json[] = [];
    let nextToken: string | null = null;
    do {
      const answer: Json = await admin<Json>(
        `query ($n: String) { deviceCredentials(limit: 1000, nextToken: $n) { items { id name revokedAt } nextToken } }`,
        { n: nextToken },
      );
      items.push(...(answer.data.deviceCredentials.items as Json[]));
      nextToken = answer.data.deviceCredentials.nextToken as string | null;
    } while (nextToken);
    return items;
  })();
  return credentialsAfter;
}

/** The matchers of every silence and window the cases make: a device that never reports. */
const MUTED = { deviceId: `${IN_SCOPE_PREFIX}muted` };
const WINDOW_INPUT = {
  timeZone: 'Europe/Berlin',
  periods: [{ days: ['SUNDAY'], start: '02:00', end: '04:00' }],
  matchers: MUTED,
};

async function newSilence(comment: string): Promise<string> {
  const answer = await admin<Json>(
    `mutation ($input: CreateSilenceInput!) { createSilence(input: $input) { id } }`,
    {
      input: {
        matchers: MUTED,
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        comment,
      },
    },
  );
  return answer.data?.createSilence.id as string;
}

async function storedSilence(id: string): Promise<Json | null> {
  const answer = await admin<Json>(`query ($id: ID!) { silence(id: $id) { id state } }`, { id });
  return answer.data?.silence as Json | null;
}

async function newWindow(name: string): Promise<string> {
  const answer = await admin<Json>(
    `mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { id } }`,
    { input: { ...WINDOW_INPUT, name } },
  );
  return answer.data?.createMaintenanceWindow.id as string;
}

async function storedWindow(id: string): Promise<Json | null> {
  const answer = await admin<Json>(`query ($id: ID!) { maintenanceWindow(id: $id) { id name } }`, {
    id,
  });
  return answer.data?.maintenanceWindow as Json | null;
}

/** Every item of a listing, as the admin reads it once every call is done. */
async function everyItem(field: 'silences' | 'maintenanceWindows', fields: string) {
  const items: Json[] = [];
  let nextToken: string | null = null;
  do {
    const answer: Json = await admin<Json>(
      `query ($n: String) { ${field}(limit: 1000, nextToken: $n) { items { ${fields} } nextToken } }`,
      { n: nextToken },
    );
    items.push(...(answer.data[field].items as Json[]));
    nextToken = answer.data[field].nextToken as string | null;
  } while (nextToken);
  return items;
}
let silencesAfter: Promise<Json[]> | undefined;
let windowsAfter: Promise<Json[]> | undefined;
const storedSilences = () => (silencesAfter ??= everyItem('silences', 'id comment'));
const storedWindows = () => (windowsAfter ??= everyItem('maintenanceWindows', 'id name'));
/** The silence and the window the read cases ask for. */
let seedSilenceId: string;
let seedWindowId: string;

const alertInput = (id: string) => ({
  id,
  ruleId: `rm-rule-${RUN}`,
  deviceId: PUBLISHED_DEVICE,
  metric: 'temperature',
  value: 99,
  threshold: 1,
  operator: 'GT',
  severity: 'CRITICAL',
  status: 'FIRING',
  reason: 'THRESHOLD',
  firedAt: new Date().toISOString(),
});
const publishedId = (key: string) => `rm-${RUN}-${key}`;

const ON_ALERT = `subscription ($d: ID) { onAlert(deviceId: $d) { id deviceId } }`;
const PUBLISH_ALERT = `mutation ($input: AlertInput!) { publishAlert(input: $input) { id deviceId severity } }`;

const probes: Record<Exclude<RootField, 'Subscription.onAlert'>, FieldProbe> = {
  'Query.events': {
    document: `query ($d: ID!) { events(deviceId: $d) { items { id deviceId } } }`,
    prepare: async () => ({ variables: { d: SEED_DEVICE } }),
    shows: (data) => expect(data.events.items[0]).toMatchObject({ deviceId: SEED_DEVICE }),
  },
  'Query.alerts': {
    document: `query ($r: ID) { alerts(ruleId: $r, limit: 1) { items { ruleId } } }`,
    prepare: async () => ({ variables: { r: alertRuleId } }),
    shows: (data) => expect(data.alerts.items).toEqual([{ ruleId: alertRuleId }]),
  },
  'Query.activeAlerts': {
    document: `query ($d: ID) { activeAlerts(deviceId: $d) { items { deviceId status } } }`,
    prepare: async () => ({ variables: { d: SEED_DEVICE } }),
    shows: (data) =>
      expect(data.activeAlerts.items).toEqual([{ deviceId: SEED_DEVICE, status: 'FIRING' }]),
  },
  'Query.rules': {
    document: `{ rules(limit: 1000) { items { id } } }`,
    prepare: async () => ({ variables: {} }),
    shows: (data) => expect(data.rules.items).toContainEqual({ id: alertRuleId }),
  },
  'Query.rule': {
    document: `query ($id: ID!) { rule(id: $id) { id metric } }`,
    prepare: async () => ({ variables: { id: alertRuleId } }),
    shows: (data) => expect(data.rule).toEqual({ id: alertRuleId, metric: ALERT_METRIC }),
  },
  'Query.devices': {
    document: `query ($s: String) { devices(filter: { search: $s }, limit: 1000) { items { id openAlerts } } }`,
    prepare: async () => ({ variables: { s: SEED_DEVICE } }),
    shows: (data) => expect(data.devices.items).toContainEqual({ id: SEED_DEVICE, openAlerts: 1 }),
  },
  'Query.device': {
    document: `query ($id: ID!) { device(id: $id) { id worstSeverity } }`,
    prepare: async () => ({ variables: { id: SEED_DEVICE } }),
    shows: (data) => expect(data.device).toEqual({ id: SEED_DEVICE, worstSeverity: 'WARNING' }),
  },
  'Query.deviceCredentials': {
    document: `{ deviceCredentials(limit: 1000) { items { id name } } }`,
    prepare: async () => ({ variables: {} }),
    shows: (data) =>
      expect(data.deviceCredentials.items).toContainEqual(
        expect.objectContaining({ name: `in scope ${RUN}` }),
      ),
  },
  'Query.systemStatus': {
    document: `{ systemStatus(minutes: 5) { readAt deadLetterDepth periodSeconds } }`,
    prepare: async () => ({ variables: {} }),
    shows: (data) => {
      expect(Date.parse(data.systemStatus.readAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(data.systemStatus.deadLetterDepth).toBeGreaterThanOrEqual(0);
    },
  },
  'Query.backtestRule': {
    document: `query ($input: BacktestInput!) { backtestRule(input: $input) { readingsReplayed devices { deviceId } } }`,
    prepare: async () => ({
      variables: {
        input: {
          rule: { deviceId: SEED_DEVICE, metric: ALERT_METRIC, operator: 'GT', threshold: 0 },
          from: new Date(Date.now() - 3600_000).toISOString(),
          to: new Date(Date.now() + 60_000).toISOString(),
        },
      },
    }),
    shows: (data) => expect(data.backtestRule.devices).toEqual([{ deviceId: SEED_DEVICE }]),
  },
  'Mutation.ingestEvent': {
    document: `mutation ($input: EventInput!) { ingestEvent(input: $input) { id deviceId } }`,
    prepare: async (key) => ({
      variables: { input: { deviceId: device(key), metric: 'temperature', value: 1 } },
      changed: async () => (await storedReadings(device(key))) > 0,
    }),
  },
  'Mutation.ingestEvents': {
    document: `mutation ($input: [EventInput!]!) {
      ingestEvents(input: $input) { accepted rejected results { index event { id } error { errorType message } } }
    }`,
    prepare: async (key) => ({
      variables: { input: [{ deviceId: device(key), metric: 'temperature', value: 1 }] },
      changed: async () => (await storedReadings(device(key))) > 0,
    }),
  },
  'Mutation.createRule': {
    document: `mutation ($input: CreateRuleInput!) { createRule(input: $input) { id } }`,
    prepare: async (key) => ({
      variables: {
        input: { deviceId: device(key), metric: 'temperature', operator: 'GT', threshold: 5 },
      },
      changed: async () => {
        const answer = await admin<Json>(
          `query ($d: ID) { rules(deviceId: $d) { items { id } } }`,
          {
            d: device(key),
          },
        );
        return (answer.data?.rules.items as unknown[]).length > 0;
      },
    }),
  },
  'Mutation.updateRule': {
    document: `mutation ($id: ID!, $input: UpdateRuleInput!) { updateRule(id: $id, input: $input) { id threshold } }`,
    prepare: async (key) => {
      const id = await newRule(device(key));
      const before = await storedRule(id);
      return {
        variables: { id, input: { threshold: 2 } },
        changed: async () => {
          const after = await storedRule(id);
          return JSON.stringify(after) !== JSON.stringify(before);
        },
      };
    },
  },
  'Mutation.deleteRule': {
    document: `mutation ($id: ID!) { deleteRule(id: $id) { id deleted } }`,
    prepare: async (key) => {
      const id = await newRule(device(key));
      return { variables: { id }, changed: async () => (await storedRule(id)) === null };
    },
  },
  'Mutation.setRuleEnabled': {
    document: `mutation ($id: ID!, $e: Boolean!) { setRuleEnabled(id: $id, enabled: $e) { id enabled } }`,
    prepare: async (key) => {
      const id = await newRule(device(key));
      return {
        variables: { id, e: false },
        changed: async () => (await storedRule(id))?.enabled !== true,
      };
    },
  },
  'Mutation.importAlarmModels': {
    document: `mutation ($m: AWSJSON!) { importAlarmModels(models: $m) { created models { ruleId } } }`,
    prepare: async (key) => {
      const name = `RoleMatrix_${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const model = {
        alarmModelName: name,
        alarmRule: {
          simpleRule: {
            inputProperty: '$input.Matrix.temperature',
            comparisonOperator: 'GREATER',
            threshold: '1',
          },
        },
      };
      return {
        variables: { m: JSON.stringify(model) },
        changed: async () => (await storedRule(`iot-events:${name}`)) !== null,
      };
    },
  },
  'Mutation.acknowledgeAlert': {
    document: `mutation ($id: ID!) { acknowledgeAlert(id: $id) { id acknowledgedAt acknowledgedBy } }`,
    prepare: async (_key, caller) => {
      const id = alertOf.get(alertKey('acknowledge', caller)) as string;
      return {
        variables: { id },
        changed: async () => (await storedAlert(id))?.acknowledgedAt !== null,
      };
    },
  },
  'Mutation.snoozeAlert': {
    document: `mutation ($id: ID!, $s: Int!) { snoozeAlert(id: $id, seconds: $s) { id silenced silenceId } }`,
    prepare: async (_key, caller) => {
      const id = alertOf.get(alertKey('snooze', caller)) as string;
      return {
        variables: { id, s: 3600 },
        changed: async () => (await storedAlert(id))?.silenced === true,
      };
    },
  },
  'Mutation.resetAlert': {
    document: `mutation ($id: ID!) { resetAlert(id: $id) { id status resolution } }`,
    prepare: async (_key, caller) => {
      const id = alertOf.get(alertKey('reset', caller)) as string;
      return {
        variables: { id },
        changed: async () => (await storedAlert(id))?.status === 'RESOLVED',
      };
    },
  },
  'Mutation.updateDevice': {
    document: `mutation ($id: ID!, $input: UpdateDeviceInput!) { updateDevice(id: $id, input: $input) { id name } }`,
    prepare: async (key) => {
      const name = `rm ${RUN} ${key}`;
      return {
        variables: { id: device(key), input: { name } },
        changed: async () => (await storedDevice(device(key)))?.name === name,
      };
    },
  },
  'Mutation.deleteDevice': {
    document: `mutation ($id: ID!) { deleteDevice(id: $id) { id deleted } }`,
    prepare: async (key) => ({
      variables: { id: device(key) },
      changed: async () => (await storedDevice(device(key))) === null,
    }),
  },
  'Mutation.createDeviceCredential': {
    document: `mutation ($input: CreateDeviceCredentialInput!) {
      createDeviceCredential(input: $input) { credential { id name } token }
    }`,
    prepare: async (key) => {
      const name = `rm ${RUN} ${key}`;
      return {
        variables: { input: { name, deviceIds: [device(key)] } },
        changed: async () => (await storedCredentials()).some((item) => item.name === name),
      };
    },
  },
  'Mutation.revokeDeviceCredential': {
    document: `mutation ($id: ID!) { revokeDeviceCredential(id: $id) { id revokedAt } }`,
    prepare: async (key) => {
      const { id } = await newCredential(`rm ${RUN} ${key}`, { deviceIds: [device(key)] });
      return {
        variables: { id },
        changed: async () =>
          (await storedCredentials()).find((item) => item.id === id)?.revokedAt !== null,
      };
    },
  },
  'Query.silences': {
    document: `{ silences(state: ACTIVE, limit: 1000) { items { id state } } }`,
    prepare: async () => ({ variables: {} }),
    shows: (data) =>
      expect(data.silences.items).toContainEqual({ id: seedSilenceId, state: 'ACTIVE' }),
  },
  'Query.silence': {
    document: `query ($id: ID!) { silence(id: $id) { id matchers { deviceId } } }`,
    prepare: async () => ({ variables: { id: seedSilenceId } }),
    shows: (data) =>
      expect(data.silence).toEqual({ id: seedSilenceId, matchers: { deviceId: MUTED.deviceId } }),
  },
  'Query.maintenanceWindows': {
    document: `{ maintenanceWindows(limit: 1000) { items { id timeZone } } }`,
    prepare: async () => ({ variables: {} }),
    shows: (data) =>
      expect(data.maintenanceWindows.items).toContainEqual({
        id: seedWindowId,
        timeZone: 'Europe/Berlin',
      }),
  },
  'Query.maintenanceWindow': {
    document: `query ($id: ID!) { maintenanceWindow(id: $id) { id periods { days start end } } }`,
    prepare: async () => ({ variables: { id: seedWindowId } }),
    shows: (data) =>
      expect(data.maintenanceWindow).toEqual({ id: seedWindowId, periods: WINDOW_INPUT.periods }),
  },
  'Mutation.createSilence': {
    document: `mutation ($input: CreateSilenceInput!) { createSilence(input: $input) { id createdBy } }`,
    prepare: async (key) => {
      const comment = `rm ${RUN} ${key}`;
      return {
        variables: {
          input: {
            matchers: MUTED,
            endsAt: new Date(Date.now() + 3600_000).toISOString(),
            comment,
          },
        },
        changed: async () => (await storedSilences()).some((item) => item.comment === comment),
      };
    },
  },
  'Mutation.expireSilence': {
    document: `mutation ($id: ID!) { expireSilence(id: $id) { id state } }`,
    prepare: async (key) => {
      const id = await newSilence(`rm ${RUN} ${key}`);
      return {
        variables: { id },
        changed: async () => (await storedSilence(id))?.state === 'EXPIRED',
      };
    },
  },
  'Mutation.createMaintenanceWindow': {
    document: `mutation ($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { id } }`,
    prepare: async (key) => {
      const name = `rm ${RUN} ${key}`;
      return {
        variables: { input: { ...WINDOW_INPUT, name } },
        changed: async () => (await storedWindows()).some((item) => item.name === name),
      };
    },
  },
  'Mutation.updateMaintenanceWindow': {
    document: `mutation ($id: ID!, $input: MaintenanceWindowInput!) {
      updateMaintenanceWindow(id: $id, input: $input) { id name updatedBy }
    }`,
    prepare: async (key) => {
      const id = await newWindow(`rm ${RUN} ${key}`);
      const name = `rm ${RUN} ${key} renamed`;
      return {
        variables: { id, input: { ...WINDOW_INPUT, name } },
        changed: async () => (await storedWindow(id))?.name === name,
      };
    },
  },
  'Mutation.deleteMaintenanceWindow': {
    document: `mutation ($id: ID!) { deleteMaintenanceWindow(id: $id) { id deleted } }`,
    prepare: async (key) => {
      const id = await newWindow(`rm ${RUN} ${key}`);
      return { variables: { id }, changed: async () => (await storedWindow(id)) === null };
    },
  },
  'Mutation.publishAlert': {
    document: PUBLISH_ALERT,
    prepare: async (key) => ({
      variables: { input: alertInput(publishedId(key)) },
      // Nothing is stored: what it changes is what subscribers receive.
      changed: async () =>
        publishedWatch.received.some(
          (data) => (data.onAlert as Json | null)?.id === publishedId(key),
        ),
    }),
  },
};

// ---------------------------------------------------------------------------------------------
// The matrix, run once against one stack

interface Case {
  field: RootField;
  caller: Caller;
  expected: Outcome;
  key: string;
}

interface Observed {
  http?: RawResponse;
  realtime?: RealtimeAnswer;
  changed?: boolean;
}

const cases: Case[] = rootFields.flatMap((field) =>
  callerNames.map((caller) => ({
    field,
    caller,
    expected: roleMatrix[field][caller],
    key: `${field.split('.')[1]}-${caller}`,
  })),
);
const observed = new Map<Case, Observed>();
/** Reads of the store, run once every case has been called. */
const changedChecks: (() => Promise<void>)[] = [];

async function runCase(matrixCase: Case): Promise<void> {
  const auth = auths[matrixCase.caller];
  if (matrixCase.field === 'Subscription.onAlert') {
    observed.set(matrixCase, {
      realtime: await subscribe(auth, ON_ALERT, { d: PUBLISHED_DEVICE }),
    });
    return;
  }
  const probe = probes[matrixCase.field];
  const { variables, changed } = await probe.prepare(matrixCase.key, matrixCase.caller);
  const result: Observed = { http: await post(auth, probe.document, variables) };
  observed.set(matrixCase, result);
  if (changed) changedChecks.push(async () => void (result.changed = await changed()));
}

/** Makes an alert fire for the seed device and one for each caller's case of each alert action. */
async function fireAlerts(): Promise<void> {
  const created = await admin<Json>(
    `mutation ($input: CreateRuleInput!) { createRule(input: $input) { id } }`,
    { input: { metric: ALERT_METRIC, operator: 'GT', threshold: 0, name: 'role matrix' } },
  );
  alertRuleId = created.data?.createRule.id as string;
  await ruleChangesApplied();
  const devices = [
    SEED_DEVICE,
    ...ALERT_ACTIONS.flatMap((action) =>
      callerNames.map((caller) => device(`alert-${action}-${caller}`)),
    ),
  ];
  const ingested = await admin<Json>(
    `mutation ($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`,
    { input: devices.map((deviceId) => ({ deviceId, metric: ALERT_METRIC, value: 1 })) },
  );
  expect(ingested.data?.ingestEvents.accepted).toBe(devices.length);
  const alerts = await waitFor(async () => {
    const answer = await admin<Json>(
      `query ($r: ID) { alerts(ruleId: $r, limit: 1000) { items { id deviceId } } }`,
      { r: alertRuleId },
    );
    const items = answer.data?.alerts.items as Json[];
    return items.length === devices.length ? items : undefined;
  }, 'an alert for each device');
  for (const action of ALERT_ACTIONS) {
    for (const caller of callerNames) {
      const deviceId = device(`alert-${action}-${caller}`);
      alertOf.set(alertKey(action, caller), alerts.find((a) => a.deviceId === deviceId)?.id);
    }
  }
}

describe('who may call what', () => {
  beforeAll(async () => {
    // Prepare: a stack whose state directory holds its user pool's signing key (to forge
    // expired tokens), users of each group, device credentials, an alert per acknowledgement.
    stateDir = mkdtempSync(join(tmpdir(), 'role-matrix-'));
    stack = await startTestStack({ stateDir, deviceAuthCacheSeconds: 0 });
    const { outputs } = stack;
    const [adminUser, operator, viewer, noGroup] = await Promise.all([
      localAdmin(outputs),
      createUser(outputs, 'operators'),
      createUser(outputs, 'viewers'),
      createUser(outputs, null),
    ]);
    const [inScope, outOfScope, revoked] = await Promise.all([
      newCredential(`in scope ${RUN}`, { deviceIdPrefix: IN_SCOPE_PREFIX }),
      newCredential(`other devices ${RUN}`, { deviceIdPrefix: OTHER_PREFIX }),
      newCredential(`revoked ${RUN}`, { deviceIdPrefix: IN_SCOPE_PREFIX }),
    ]);
    const revocation = await admin<Json>(
      `mutation ($id: ID!) { revokeDeviceCredential(id: $id) { revokedAt } }`,
      { id: revoked.id },
    );
    expect(revocation.data?.revokeDeviceCredential.revokedAt).toEqual(expect.any(String));
    const bearer = (token: string): Auth => ({
      kind: 'headers',
      headers: { authorization: token },
    });
    const forged = forgedTokens(adminUser.idToken, viewer.idToken);
    Object.assign(auths, {
      admin: bearer(adminUser.idToken),
      operator: bearer(operator.idToken),
      viewer: bearer(viewer.idToken),
      noGroup: bearer(noGroup.idToken),
      deviceInScope: bearer(inScope.token),
      deviceOutOfScope: bearer(outOfScope.token),
      revokedDevice: bearer(revoked.token),
      stackIam: {
        kind: 'iam',
        accessKeyId: outputs.LocalAccessKeyId,
        secretAccessKey: outputs.LocalSecretAccessKey,
      },
      unknownIam: {
        kind: 'iam',
        accessKeyId: 'AKIAUNKNOWNROLEMATRIX',
        secretAccessKey: 'not-a-key-of-this-stack',
      },
      none: { kind: 'headers', headers: {} },
      expiredJwt: bearer(forged.expiredJwt),
      otherIssuerJwt: bearer(forged.otherIssuerJwt),
      otherKeyJwt: bearer(forged.otherKeyJwt),
      algNoneJwt: bearer(forged.algNoneJwt),
      tamperedJwt: bearer(forged.tamperedJwt),
      apiKey: { kind: 'headers', headers: { 'x-api-key': 'da2-anoldapikeyfromtheapikeydays' } },
    } satisfies Record<Caller, Auth>);
    publishedWatch = await stackSubscription(stack, ON_ALERT, { d: PUBLISHED_DEVICE });
    await fireAlerts();
    await waitFor(async () => (await storedReadings(SEED_DEVICE)) > 0, 'the seed reading');
    await seedDevices();
    [seedSilenceId, seedWindowId] = await Promise.all([
      newSilence(`seed ${RUN}`),
      newWindow(`seed ${RUN}`),
    ]);
    await waitFor(async () => (await storedDevice(SEED_DEVICE)) !== null, 'the seed device');

    // Act: every case, a few at a time.
    await inPool(cases, CONCURRENCY, runCase);

    // Then, once the readings sent are stored and a last alert published after every case
    // has arrived, read what each case changed.
    await queueDrained(stack);
    const marker = publishedId('marker');
    const published = await post(auths.stackIam, PUBLISH_ALERT, { input: alertInput(marker) });
    expect(published.json).toEqual({
      data: { publishAlert: { id: marker, deviceId: PUBLISHED_DEVICE, severity: 'CRITICAL' } },
    });
    await waitFor(
      () => publishedWatch.received.some((data) => (data.onAlert as Json | null)?.id === marker),
      'the marker alert',
    );
    await inPool(changedChecks, CONCURRENCY, (check) => check());
  }, 120_000);

  afterAll(async () => {
    publishedWatch?.close();
    for (const { realtime } of observed.values()) await realtime?.close();
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const isMutation = (field: RootField) => field.startsWith('Mutation.');
  const title = ({ field, caller, expected }: Case) => {
    const what = isMutation(field)
      ? 'nothing stored'
      : field.startsWith('Subscription.')
        ? 'nothing delivered'
        : 'nothing returned';
    const then = {
      allowed: isMutation(field) ? 'it is allowed and takes effect' : 'it is answered',
      unauthorized: `refused with Unauthorized and ${what}`,
      unauthenticated: `refused with 401 UnauthorizedException and ${what}`,
      outOfScope: 'the reading is refused with Unauthorized and not stored',
    }[expected];
    return `given ${callers[caller].means}, when ${field}, then ${then}`;
  };

  it.each(
    cases
      .filter(({ field }) => field !== 'Subscription.onAlert')
      .map((c): [string, Case] => [title(c), c]),
  )('%s', (_title, matrixCase) => {
    const { field, caller, expected } = matrixCase;
    const { http, changed } = observed.get(matrixCase) as Observed;
    const [type, name] = field.split('.') as [string, string];
    const answer = http as RawResponse;
    const json = answer.json as Json;
    // Assess: the answer
    if (expected === 'allowed') {
      expect({ status: answer.status, errors: json.errors }).toEqual({
        status: 200,
        errors: undefined,
      });
      expect(json.data[name]).toEqual(expect.anything());
      probes[field as keyof typeof probes].shows?.(json.data);
    } else if (expected === 'unauthenticated') {
      expect({ status: answer.status, json }).toEqual({
        status: 401,
        json: { errors: [{ errorType: 'UnauthorizedException', message: expect.any(String) }] },
      });
      // Signed with the pool's own key, it gets as far as the expiry check.
      if (caller === 'expiredJwt') expect(json.errors[0].message).toBe('Token has expired.');
    } else if (expected === 'unauthorized') {
      expect(answer.status).toBe(200);
      expect(json.errors).toEqual([
        expect.objectContaining({
          errorType: 'Unauthorized',
          path: [name],
          message: `Not Authorized to access ${name} on type ${type}`,
        }),
      ]);
      expect(json).toHaveProperty('data');
      expect(json.data?.[name] ?? null).toBeNull();
    } else if (name === 'ingestEvent') {
      expect(answer.status).toBe(200);
      expect(json).toEqual({
        data: null,
        errors: [
          expect.objectContaining({
            errorType: 'Unauthorized',
            path: ['ingestEvent'],
            message: expect.stringContaining('not a device this credential covers'),
          }),
        ],
      });
    } else {
      expect({ status: answer.status, json }).toEqual({
        status: 200,
        json: {
          data: {
            ingestEvents: {
              accepted: 0,
              rejected: 1,
              results: [
                {
                  index: 0,
                  event: null,
                  error: {
                    errorType: 'Unauthorized',
                    message: expect.stringContaining('not a device this credential covers'),
                  },
                },
              ],
            },
          },
        },
      });
    }
    // Assess: the store
    if (isMutation(field)) expect(changed).toBe(expected === 'allowed');
  });

  it.each(
    cases
      .filter(({ field }) => field === 'Subscription.onAlert')
      .map((c): [string, Case] => [title(c), c]),
  )('%s', (_title, matrixCase) => {
    const { expected } = matrixCase;
    const { realtime } = observed.get(matrixCase) as Observed;
    const { connect, start, data } = realtime as RealtimeAnswer;
    if (expected === 'unauthenticated') {
      expect(connect).toEqual({
        type: 'connection_error',
        payload: {
          errors: [expect.objectContaining({ errorType: 'UnauthorizedException', errorCode: 401 })],
        },
      });
      expect(start).toBeUndefined();
      return;
    }
    expect(connect.type).toBe('connection_ack');
    if (expected === 'allowed') {
      expect(start).toEqual({ id: 'matrix', type: 'start_ack' });
      // It is really subscribed: the alert published after every case reached it.
      expect(data().map((frame) => frame.payload.data.onAlert.id)).toContain(publishedId('marker'));
    } else {
      expect(start).toEqual({
        id: 'matrix',
        type: 'error',
        payload: {
          errors: [
            {
              errorType: 'Unauthorized',
              message: 'Not Authorized to access onAlert on type Subscription',
            },
          ],
        },
      });
      expect(data()).toEqual([]);
    }
  });
});

describe('the role matrix', () => {
  it('given schema.graphql, then the table has a row for every Query, Mutation and Subscription field, and each row an answer for every caller', () => {
    const schema = buildSchema(
      ['appsync.graphql', 'schema.graphql']
        .map((file) => readFileSync(new URL(file, repoRoot), 'utf8'))
        .join('\n'),
    );
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .filter((type): type is GraphQLObjectType => type !== null && type !== undefined)
      .flatMap((type) => Object.keys(type.getFields()).map((name) => `${type.name}.${name}`));
    expect([...rootFields].sort()).toEqual(fields.sort());
    for (const field of rootFields) {
      expect(Object.keys(roleMatrix[field]).sort()).toEqual([...callerNames].sort());
    }
  });

  it('given docs/security.md, then its role matrix is the table the tests hold the API to', () => {
    const document = readFileSync(new URL('docs/security.md', repoRoot), 'utf8');
    // Regenerate with: npm run docs:roles
    expect(withRoleMatrixTable(document)).toBe(document);
  });
});
