import { describe, expect, it } from 'vitest';
import { type EvaluationDeps, evaluateReadings } from '../../../domain/evaluation.ts';
import type { Reading } from '../../../domain/reading.ts';
import { noMetrics } from '../../../domain/metrics.ts';
import { RuleIndex } from '../../../domain/rule-index.ts';
import {
  FakeAlertStore,
  FakeChannel,
  FakeDeviceStore,
  FakeEpisodeStore,
  FakeReadingStore,
  FakeMutes,
  muteDeps,
} from '../../support/fakes.ts';

// The worker's sighting step: one recordSightings call per batch, once its readings are
// stored, and a failure to record that never fails the batch.

const T0 = Date.parse('2026-05-01T12:00:00.000Z');

function setup() {
  const readings = new FakeReadingStore();
  const devices = new FakeDeviceStore();
  const unrecorded: unknown[] = [];
  const deps: EvaluationDeps = {
    readings,
    rules: async () => new RuleIndex([]),
    devices,
    episodes: new FakeEpisodeStore(),
    alerts: new FakeAlertStore(),
    notifier: new FakeChannel(),
    publisher: new FakeChannel(),
    now: () => T0 + 60_000,
    sleep: async () => {},
    firingWindowMs: 10_000,
    deliveryLeaseMs: 60_000,
    ...muteDeps(new FakeMutes()),
    metrics: noMetrics,
    onSightingsNotRecorded: (error) => unrecorded.push(error),
  };
  return { deps, readings, devices, unrecorded };
}

const reading = (deviceId: string, metric: string, seconds: number, value: number): Reading => ({
  id: `${deviceId}-${metric}-${seconds}`,
  deviceId,
  metric,
  value,
  timestamp: new Date(T0 + seconds * 1000).toISOString(),
});

describe('recording devices from a batch', () => {
  it('given a batch of two devices, when it is evaluated, then one recordSightings call records both with their latest values', async () => {
    // Prepare
    const { deps, devices } = setup();
    // Act
    await evaluateReadings(
      [
        reading('a', 'temperature', 0, 1),
        reading('b', 'temperature', 5, 2),
        reading('a', 'temperature', 10, 3),
      ],
      deps,
    );
    // Assess
    expect(devices.recorded).toHaveLength(1);
    expect(devices.recorded[0]?.map((s) => s.deviceId)).toEqual(['a', 'b']);
    expect((await devices.get('a'))?.latest).toEqual([
      { metric: 'temperature', value: 3, timestamp: new Date(T0 + 10_000).toISOString() },
    ]);
  });

  it('given the inventory cannot be written, when a batch is evaluated, then the batch succeeds with its readings stored and the failure is reported', async () => {
    const { deps, devices, readings, unrecorded } = setup();
    devices.failure = new Error('Devices table throttled');
    const failed = await evaluateReadings([reading('a', 'temperature', 0, 1)], deps);
    expect(failed.size).toBe(0);
    expect(readings.items.size).toBe(1);
    expect(unrecorded).toEqual([devices.failure]);
  });

  it('given the readings cannot be stored, when a batch is evaluated, then it fails and no device is recorded', async () => {
    const { deps, devices, readings } = setup();
    readings.saveMany = async () => {
      throw new Error('ReadingBlocks unavailable');
    };
    await expect(evaluateReadings([reading('a', 'temperature', 0, 1)], deps)).rejects.toThrow(
      'ReadingBlocks unavailable',
    );
    expect(devices.recorded).toEqual([]);
  });
});
