import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.ts';
import {
  queueDrained,
  ruleChangesApplied,
  stackApi,
  startTestStack,
} from '../support/local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// The device inventory against the local stack: what the worker records from stored readings
// (first and last seen to the minute, latest value per metric, readings out of order), and
// what people do with it (list, filter, name, label, remove), through the API.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked by assertions
type Json = Record<string, any>;

let stack: LocalStack;
const api = stackApi(() => stack);
const RUN = randomUUID().slice(0, 8);
/** Reading times: a whole minute half an hour ago, plus seconds. */
const T0 = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

const DEVICE = `query ($id: ID!) {
  device(id: $id) {
    id name labels { key value } firstSeenAt lastSeenAt
    latest { metric value timestamp } openAlerts worstSeverity
  }
}`;
const DEVICES = `query ($filter: DeviceFilter, $limit: Int, $nextToken: String) {
  devices(filter: $filter, limit: $limit, nextToken: $nextToken) {
    items { id name labels { key value } } nextToken
  }
}`;
const UPDATE = `mutation ($id: ID!, $input: UpdateDeviceInput!) {
  updateDevice(id: $id, input: $input) { id name labels { key value } }
}`;
const DELETE = `mutation ($id: ID!) { deleteDevice(id: $id) { id deleted } }`;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** Ingests readings as the admin and waits until the worker has stored and recorded them. */
async function ingest(
  readings: { deviceId: string; metric: string; value: number; seconds: number }[],
): Promise<void> {
  const answer = await api<Json>(
    `mutation ($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`,
    {
      input: readings.map(({ deviceId, metric, value, seconds }) => ({
        deviceId,
        metric,
        value,
        timestamp: at(seconds),
      })),
    },
  );
  expect(answer.data?.ingestEvents.accepted).toBe(readings.length);
  await queueDrained(stack);
}

async function device(id: string): Promise<Json | null> {
  const answer = await api<Json>(DEVICE, { id });
  expect(answer.errors).toBeUndefined();
  return answer.data?.device as Json | null;
}

describe('the inventory the worker keeps', () => {
  it('given a device never seen, when its first reading is stored, then it is in the inventory with that reading, no name, no labels and no alerts', async () => {
    // Prepare
    const id = `first-${RUN}`;
    expect(await device(id)).toBeNull();
    // Act
    await ingest([{ deviceId: id, metric: 'temperature', value: 20.5, seconds: 0 }]);
    // Assess
    expect(await device(id)).toEqual({
      id,
      name: null,
      labels: [],
      firstSeenAt: at(0),
      lastSeenAt: at(0),
      latest: [{ metric: 'temperature', value: 20.5, timestamp: at(0) }],
      openAlerts: 0,
      worstSeverity: null,
    });
  });

  it('given a device in the inventory, when readings arrive within 60 s of the stored ones, then nothing moves; at 60 s, last seen and the latest value do', async () => {
    const id = `minute-${RUN}`;
    await ingest([{ deviceId: id, metric: 'temperature', value: 1, seconds: 0 }]);
    await ingest([{ deviceId: id, metric: 'temperature', value: 2, seconds: 30 }]);
    expect(await device(id)).toMatchObject({
      lastSeenAt: at(0),
      latest: [{ metric: 'temperature', value: 1, timestamp: at(0) }],
    });
    await ingest([{ deviceId: id, metric: 'temperature', value: 3, seconds: 60 }]);
    expect(await device(id)).toMatchObject({
      firstSeenAt: at(0),
      lastSeenAt: at(60),
      latest: [{ metric: 'temperature', value: 3, timestamp: at(60) }],
    });
  });

  it('given readings of several metrics out of order, then each metric keeps its newest value and no time moves backwards', async () => {
    const id = `order-${RUN}`;
    await ingest([
      { deviceId: id, metric: 'temperature', value: 5, seconds: 120 },
      { deviceId: id, metric: 'pressure', value: 1, seconds: 0 },
      { deviceId: id, metric: 'temperature', value: 4, seconds: 60 },
    ]);
    // Older temperature, newer pressure, and a new metric, in one later batch.
    await ingest([
      { deviceId: id, metric: 'temperature', value: 99, seconds: 10 },
      { deviceId: id, metric: 'pressure', value: 2, seconds: 100 },
      { deviceId: id, metric: 'humidity', value: 40, seconds: 90 },
    ]);
    expect(await device(id)).toMatchObject({
      firstSeenAt: at(0),
      lastSeenAt: at(120),
      latest: [
        { metric: 'humidity', value: 40, timestamp: at(90) },
        { metric: 'pressure', value: 2, timestamp: at(100) },
        { metric: 'temperature', value: 5, timestamp: at(120) },
      ],
    });
    // A reading from well before the first one moves the first seen back, and only that.
    await ingest([{ deviceId: id, metric: 'temperature', value: 0, seconds: -600 }]);
    expect(await device(id)).toMatchObject({
      firstSeenAt: at(-600),
      lastSeenAt: at(120),
      latest: expect.arrayContaining([{ metric: 'temperature', value: 5, timestamp: at(120) }]),
    });
  });
});

describe('listing the fleet', () => {
  const prefix = `fleet-${RUN}-`;
  const ids = Array.from({ length: 12 }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    // Prepare: twelve devices; the even ones at the Berlin site, two named.
    await ingest(
      ids.map((deviceId) => ({ deviceId, metric: 'temperature', value: 1, seconds: 0 })),
    );
    for (const [i, id] of ids.entries()) {
      const labels = i % 2 === 0 ? [{ key: 'site', value: 'berlin' }] : [];
      const name = i === 3 ? 'Basement Boiler' : i === 4 ? 'Roof boiler' : undefined;
      const answer = await api<Json>(UPDATE, { id, input: { labels, name } });
      expect(answer.errors).toBeUndefined();
    }
  });

  async function allPages(filter: Json, limit: number): Promise<{ ids: string[]; pages: number }> {
    const found: string[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const answer: Json = await api<Json>(DEVICES, { filter, limit, nextToken });
      expect(answer.errors).toBeUndefined();
      found.push(...(answer.data.devices.items as Json[]).map((item) => item.id as string));
      nextToken = answer.data.devices.nextToken as string | null;
      pages++;
    } while (nextToken !== null);
    return { ids: found, pages };
  }

  it('given a search, when the fleet is listed 5 at a time, then every matching device comes once, by id', async () => {
    const { ids: listed, pages } = await allPages({ search: prefix.toUpperCase() }, 5);
    expect(listed).toEqual(ids);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('given a label matcher and a search, then only devices whose labels match are listed', async () => {
    const { ids: listed } = await allPages(
      { search: prefix, labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }] },
      4,
    );
    expect(listed).toEqual(ids.filter((_, i) => i % 2 === 0));
    const { ids: unlabelled } = await allPages(
      { search: prefix, labels: [{ key: 'site', operator: 'NOT_EXISTS' }] },
      100,
    );
    expect(unlabelled).toEqual(ids.filter((_, i) => i % 2 === 1));
  });

  it('given a search of part of a name in another case, then the named devices are listed', async () => {
    const answer = await api<Json>(DEVICES, { filter: { search: 'BOILER' }, limit: 100 });
    expect(
      (answer.data?.devices.items as Json[]).filter((item) =>
        (item.id as string).startsWith(prefix),
      ),
    ).toEqual([
      { id: ids[3], name: 'Basement Boiler', labels: [] },
      { id: ids[4], name: 'Roof boiler', labels: [{ key: 'site', value: 'berlin' }] },
    ]);
  });

  it('given a nextToken of another filter, then it is refused', async () => {
    const first = await api<Json>(DEVICES, { filter: { search: prefix }, limit: 2 });
    const token = first.data?.devices.nextToken as string;
    expect(token).toEqual(expect.any(String));
    const other = await api<Json>(DEVICES, { filter: { search: 'x' }, limit: 2, nextToken: token });
    expect(other.errors?.[0]).toMatchObject({
      errorType: 'ValidationError',
      message: expect.stringContaining('nextToken'),
    });
  });

  it('given a bad label matcher, then it is refused naming the matcher', async () => {
    const answer = await api<Json>(DEVICES, {
      filter: { labels: [{ key: 'site', operator: 'IN', values: [] }] },
    });
    expect(answer.errors?.[0]).toMatchObject({
      errorType: 'ValidationError',
      message: expect.stringContaining('filter.labels[0].values'),
    });
  });
});

describe('naming, labelling and removing a device', () => {
  it('given bad labels or a long name, then updateDevice is refused naming the field and nothing is stored', async () => {
    // Prepare
    const id = `refused-${RUN}`;
    await ingest([{ deviceId: id, metric: 'temperature', value: 1, seconds: 0 }]);
    const labelled = await api<Json>(UPDATE, {
      id,
      input: { name: 'Pump', labels: [{ key: 'site', value: 'berlin' }] },
    });
    expect(labelled.errors).toBeUndefined();
    // Act
    const badKey = await api<Json>(UPDATE, {
      id,
      input: {
        name: 'Renamed',
        labels: [
          { key: 'model', value: 'b200' },
          { key: 'Site', value: 'paris' },
        ],
      },
    });
    const duplicate = await api<Json>(UPDATE, {
      id,
      input: {
        labels: [
          { key: 'site', value: 'paris' },
          { key: 'site', value: 'rome' },
        ],
      },
    });
    const longName = await api<Json>(UPDATE, {
      id,
      input: { name: 'n'.repeat(101), labels: [{ key: 'site', value: 'paris' }] },
    });
    const tooMany = await api<Json>(UPDATE, {
      id,
      input: { labels: Array.from({ length: 33 }, (_, i) => ({ key: `k${i}`, value: 'v' })) },
    });
    // Assess
    const refusal = (answer: Json) => answer.errors?.[0] as Json;
    expect(refusal(badKey)).toMatchObject({
      errorType: 'ValidationError',
      message: expect.stringContaining('input.labels[1].key'),
    });
    expect(refusal(duplicate).message).toContain(
      "input.labels[1].key 'site' appears more than once",
    );
    expect(refusal(longName)).toMatchObject({
      errorType: 'ValidationError',
      message: expect.stringContaining('input.name must be at most 100 characters'),
    });
    expect(refusal(tooMany).message).toContain('input.labels may hold at most 32 labels');
    expect(await device(id)).toMatchObject({
      name: 'Pump',
      labels: [{ key: 'site', value: 'berlin' }],
    });
  });

  it('given an unknown device, then updateDevice and deleteDevice answer NotFound', async () => {
    const id = `unknown-${RUN}`;
    const updated = await api<Json>(UPDATE, { id, input: { name: 'x' } });
    const deleted = await api<Json>(DELETE, { id });
    expect(updated.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    expect(deleted.errors?.[0]).toMatchObject({ errorType: 'NotFound' });
    expect(await device(id)).toBeNull();
  });

  it('given a labelled device, when a name change leaves out the labels, then the labels stay; a null name clears the name', async () => {
    const id = `rename-${RUN}`;
    await ingest([{ deviceId: id, metric: 'temperature', value: 1, seconds: 0 }]);
    await api<Json>(UPDATE, { id, input: { name: 'A', labels: [{ key: 'model', value: 'b2' }] } });
    const renamed = await api<Json>(UPDATE, { id, input: { name: 'B' } });
    expect(renamed.data?.updateDevice).toEqual({
      id,
      name: 'B',
      labels: [{ key: 'model', value: 'b2' }],
    });
    const cleared = await api<Json>(UPDATE, { id, input: { name: null, labels: [] } });
    expect(cleared.data?.updateDevice).toEqual({ id, name: null, labels: [] });
  });

  it('given a device with readings, when it is removed, then it leaves the inventory, its readings stay, and its next reading brings it back', async () => {
    // Prepare
    const id = `removed-${RUN}`;
    await ingest([{ deviceId: id, metric: 'temperature', value: 7, seconds: 0 }]);
    await api<Json>(UPDATE, { id, input: { labels: [{ key: 'site', value: 'berlin' }] } });
    // Act
    const removed = await api<Json>(DELETE, { id });
    // Assess
    expect(removed.data?.deleteDevice).toEqual({ id, deleted: true });
    expect(await device(id)).toBeNull();
    const events = await api<Json>(`query ($d: ID!) { events(deviceId: $d) { items { value } } }`, {
      d: id,
    });
    expect(events.data?.events.items).toEqual([{ value: 7 }]);
    await ingest([{ deviceId: id, metric: 'temperature', value: 8, seconds: 300 }]);
    expect(await device(id)).toMatchObject({
      labels: [],
      firstSeenAt: at(300),
      latest: [{ metric: 'temperature', value: 8, timestamp: at(300) }],
    });
  });
});

describe('a device’s health', () => {
  it('given two rules firing for a device, then it shows two open alerts and the worst severity, in the list too', async () => {
    // Prepare
    const id = `health-${RUN}`;
    const metric = `heat-${RUN}`;
    for (const [threshold, severity] of [
      [10, 'WARNING'],
      [50, 'CRITICAL'],
      [90, 'INFO'],
    ] as const) {
      const created = await api<Json>(
        `mutation ($input: CreateRuleInput!) { createRule(input: $input) { id } }`,
        { input: { deviceId: id, metric, operator: 'GT', threshold, severity } },
      );
      expect(created.errors).toBeUndefined();
    }
    await ruleChangesApplied();
    // Act
    await ingest([{ deviceId: id, metric, value: 60, seconds: 0 }]);
    await waitFor(async () => {
      const active = await api<Json>(
        `query ($d: ID) { activeAlerts(deviceId: $d) { items { id } } }`,
        { d: id },
      );
      return (active.data?.activeAlerts.items as unknown[]).length === 2;
    }, 'two alerts firing');
    // Assess
    expect(await device(id)).toMatchObject({ openAlerts: 2, worstSeverity: 'CRITICAL' });
    const listed = await api<Json>(
      `query ($s: String) { devices(filter: { search: $s }) { items { id openAlerts worstSeverity } } }`,
      { s: id },
    );
    expect(listed.data?.devices.items).toEqual([{ id, openAlerts: 2, worstSeverity: 'CRITICAL' }]);
  });
});
