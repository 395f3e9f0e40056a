import { describe, expect, it } from 'vitest';
import {
  afterSighting,
  type Device,
  type DeviceSighting,
  deviceView,
  healthOf,
  parseDeviceChange,
  parseDeviceFilter,
  passesFilter,
  planSighting,
  type SeenMarks,
  sightingsOf,
} from '../../../domain/device.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { limits } from '../../../domain/limits.ts';
import type { Reading } from '../../../domain/reading.ts';

const T0 = Date.parse('2026-05-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
/** Well after every reading of these tests. */
const NOW = T0 + 3600_000;

function reading(deviceId: string, metric: string, seconds: number, value = 1, id = `r${seconds}`) {
  return { id, deviceId, metric, value, timestamp: at(seconds) } satisfies Reading;
}

function sighting(latest: Record<string, [number, number]>): DeviceSighting {
  const times = Object.values(latest).map(([seconds]) => seconds);
  return {
    deviceId: 'boiler-1',
    oldest: at(Math.min(...times)),
    newest: at(Math.max(...times)),
    latest: Object.fromEntries(
      Object.entries(latest).map(([metric, [seconds, value]]) => [
        metric,
        { value, timestamp: at(seconds) },
      ]),
    ),
  };
}

const marks = (first: number, last: number, metrics: Record<string, number>): SeenMarks => ({
  firstSeenAt: at(first),
  lastSeenAt: at(last),
  metrics: Object.fromEntries(Object.entries(metrics).map(([m, s]) => [m, at(s)])),
});

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

describe('sightingsOf', () => {
  it('given readings of two devices out of order, then one sighting each with the oldest and newest time and the newest value per metric', () => {
    const sightings = sightingsOf([
      reading('a', 'temperature', 30, 3),
      reading('b', 'temperature', 5, 9),
      reading('a', 'temperature', 10, 1),
      reading('a', 'pressure', 20, 2),
      reading('a', 'temperature', 40, 4),
      reading('a', 'temperature', 35, 35),
    ]);
    expect(sightings).toEqual([
      {
        deviceId: 'a',
        oldest: at(10),
        newest: at(40),
        latest: {
          temperature: { value: 4, timestamp: at(40) },
          pressure: { value: 2, timestamp: at(20) },
        },
      },
      {
        deviceId: 'b',
        oldest: at(5),
        newest: at(5),
        latest: { temperature: { value: 9, timestamp: at(5) } },
      },
    ]);
  });

  it('given two readings of a metric at the same time, then the one with the greater id is the latest, as evaluation orders them', () => {
    const [only] = sightingsOf([
      reading('a', 'temperature', 0, 2, 'r-b'),
      reading('a', 'temperature', 0, 1, 'r-a'),
    ]);
    expect(only?.latest.temperature).toEqual({ value: 2, timestamp: at(0) });
  });
});

describe('planSighting', () => {
  it('given a device not in the inventory, then it is created with every time and value of the sighting', () => {
    expect(planSighting(null, sighting({ temperature: [10, 70], pressure: [0, 2] }), NOW)).toEqual({
      deviceId: 'boiler-1',
      create: true,
      firstSeenAt: at(0),
      lastSeenAt: at(10),
      latest: {
        temperature: { value: 70, timestamp: at(10) },
        pressure: { value: 2, timestamp: at(0) },
      },
    });
  });

  it(`given readings less than ${limits.sightingGranularitySeconds} s after the stored ones, then nothing is written`, () => {
    const known = marks(0, 0, { temperature: 0 });
    expect(planSighting(known, sighting({ temperature: [59, 71] }), NOW)).toBeNull();
  });

  it(`given a metric ${limits.sightingGranularitySeconds} s after its stored time, then its value and the last seen are written`, () => {
    const known = marks(0, 0, { temperature: 0 });
    expect(planSighting(known, sighting({ temperature: [60, 72] }), NOW)).toEqual({
      deviceId: 'boiler-1',
      create: false,
      firstSeenAt: null,
      lastSeenAt: at(60),
      latest: { temperature: { value: 72, timestamp: at(60) } },
    });
  });

  it('given a metric the device never sent, then it is written at once with the others that moved forward', () => {
    const known = marks(0, 30, { temperature: 30 });
    expect(planSighting(known, sighting({ temperature: [40, 1], pressure: [35, 2] }), NOW)).toEqual(
      {
        deviceId: 'boiler-1',
        create: false,
        firstSeenAt: null,
        lastSeenAt: at(40),
        latest: {
          temperature: { value: 1, timestamp: at(40) },
          pressure: { value: 2, timestamp: at(35) },
        },
      },
    );
  });

  it('given a rare metric whose stored value is old while the last seen is recent, then it is written', () => {
    const known = marks(0, 3600, { temperature: 3600, battery: 0 });
    const write = planSighting(known, sighting({ battery: [3610, 80] }), NOW + 3600_000);
    expect(write?.latest).toEqual({ battery: { value: 80, timestamp: at(3610) } });
    expect(write?.lastSeenAt).toBe(at(3610));
  });

  it('given readings older than the stored ones, then nothing moves backwards', () => {
    const known = marks(0, 600, { temperature: 600, pressure: 100 });
    const write = planSighting(known, sighting({ temperature: [300, 5], pressure: [200, 6] }), NOW);
    expect(write).toEqual({
      deviceId: 'boiler-1',
      create: false,
      firstSeenAt: null,
      lastSeenAt: null,
      latest: { pressure: { value: 6, timestamp: at(200) } },
    });
  });

  it('given a reading older than the first seen by the granularity, then the first seen moves back', () => {
    const known = marks(600, 600, { temperature: 600 });
    expect(planSighting(known, sighting({ temperature: [0, 5] }), NOW)).toEqual({
      deviceId: 'boiler-1',
      create: false,
      firstSeenAt: at(0),
      lastSeenAt: null,
      latest: {},
    });
  });

  it('given a device clock ahead of the server, then the seen times are no later than now', () => {
    const now = T0 + 10_000;
    const write = planSighting(null, sighting({ temperature: [600, 5] }), now);
    expect(write?.lastSeenAt).toBe(new Date(now).toISOString());
    expect(write?.latest.temperature?.timestamp).toBe(at(600));
  });

  it('given a write applied, then what the inventory holds is the sighting merged over what it held', () => {
    const known = marks(0, 0, { temperature: 0, pressure: 0 });
    const write = planSighting(known, sighting({ temperature: [90, 1] }), NOW);
    expect(afterSighting(known, write as NonNullable<typeof write>)).toEqual(
      marks(0, 90, { temperature: 90, pressure: 0 }),
    );
  });
});

describe('parseDeviceChange', () => {
  it('given a name and labels, then both change; absent fields are left out', () => {
    expect(
      parseDeviceChange({ name: ' Boiler 1 ', labels: [{ key: 'site', value: 'berlin' }] }),
    ).toEqual({ name: 'Boiler 1', labels: { site: 'berlin' } });
    expect(parseDeviceChange({})).toEqual({});
  });

  it('given a null or empty name, then the name is cleared', () => {
    expect(parseDeviceChange({ name: null })).toEqual({ name: null });
    expect(parseDeviceChange({ name: '' })).toEqual({ name: null });
  });

  it(`given a name longer than ${limits.maxDeviceNameLength} characters, then it is refused naming input.name`, () => {
    const error = refusal(() => parseDeviceChange({ name: 'x'.repeat(101) }));
    expect(error.field).toBe('input.name');
    expect(error.message).toContain('at most 100 characters');
  });

  it('given a bad label key, then it is refused naming the label', () => {
    const error = refusal(() =>
      parseDeviceChange({
        labels: [
          { key: 'site', value: 'berlin' },
          { key: 'Site', value: 'paris' },
        ],
      }),
    );
    expect(error.field).toBe('input.labels[1].key');
  });
});

describe('device filter', () => {
  const device: Device = {
    id: 'Boiler-17',
    name: 'Basement Heater',
    labels: { site: 'berlin', model: 'b200' },
    firstSeenAt: at(0),
    lastSeenAt: at(0),
    latest: [],
  };

  it('given a search, then it matches the id or the name whatever the case', () => {
    expect(passesFilter(device, parseDeviceFilter({ search: 'boiler' }))).toBe(true);
    expect(passesFilter(device, parseDeviceFilter({ search: 'HEATER' }))).toBe(true);
    expect(passesFilter(device, parseDeviceFilter({ search: 'pump' }))).toBe(false);
  });

  it('given label matchers, then all must hold', () => {
    const filter = (values: string[]) =>
      parseDeviceFilter({
        labels: [
          { key: 'site', operator: 'EQ', values: ['berlin'] },
          { key: 'model', operator: 'IN', values },
        ],
      });
    expect(passesFilter(device, filter(['b200', 'b300']))).toBe(true);
    expect(passesFilter(device, filter(['b300']))).toBe(false);
  });

  it('given no filter, an empty search or no matchers, then every device passes', () => {
    expect(parseDeviceFilter(null)).toEqual({ selector: null, search: null });
    expect(parseDeviceFilter({ search: '', labels: [] })).toEqual({ selector: null, search: null });
  });

  it('given a bad matcher, then it is refused naming filter.labels', () => {
    const error = refusal(() =>
      parseDeviceFilter({ labels: [{ key: 'site', operator: 'EQ', values: [] }] }),
    );
    expect(error.field).toBe('filter.labels[0].values');
  });
});

describe('health', () => {
  it('given firing alerts, then their count and the worst severity', () => {
    expect(healthOf(['WARNING', 'CRITICAL', 'INFO'])).toEqual({
      openAlerts: 3,
      worstSeverity: 'CRITICAL',
    });
    expect(healthOf([])).toEqual({ openAlerts: 0, worstSeverity: null });
  });

  it('given a device, then the API shape has its labels sorted by key and its health', () => {
    const view = deviceView(
      {
        id: 'd',
        name: null,
        labels: { site: 'berlin', model: 'b200' },
        firstSeenAt: at(0),
        lastSeenAt: at(0),
        latest: [],
      },
      { openAlerts: 1, worstSeverity: 'INFO' },
    );
    expect(view.labels).toEqual([
      { key: 'model', value: 'b200' },
      { key: 'site', value: 'berlin' },
    ]);
    expect(view).toMatchObject({ openAlerts: 1, worstSeverity: 'INFO' });
  });
});
