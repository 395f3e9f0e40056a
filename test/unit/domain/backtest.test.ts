import { describe, expect, it } from 'vitest';
import type { BacktestInput, CreateRuleInput } from '../../../generated/graphql.ts';
import {
  type BacktestBudget,
  type BacktestDeps,
  backtest,
  defaultBudget,
  parseBacktest,
} from '../../../domain/backtest.ts';
import type { Device } from '../../../domain/device.ts';
import { LimitExceededError, NotFoundError, ValidationError } from '../../../domain/errors.ts';
import type { ReadingHistory } from '../../../domain/ports.ts';
import type { Reading } from '../../../domain/reading.ts';
import { OldestFirstMerge, packBlocks } from '../../../domain/reading-blocks.ts';
import { FakeDeviceStore } from '../../support/fakes.ts';

const t0 = Date.parse('2026-05-01T12:00:00.000Z');
const at = (second: number) => new Date(t0 + second * 1000).toISOString();
const NOW = '2026-05-02T00:00:00.000Z';

/** Stored readings served as the DynamoDB store serves them: blocks, ascending, merged. */
class BlockHistory implements ReadingHistory {
  readonly readings: Reading[] = [];
  /** Readings per stored block, to make blocks overlap and chunks small. */
  blockSize = 3;

  add(deviceId: string, values: [number, number][], metric = 'temperature'): void {
    for (const [value, second] of values) {
      this.readings.push({
        id: `${deviceId}-${second}`,
        deviceId,
        metric,
        value,
        timestamp: at(second),
      });
    }
  }

  async *oldestFirst(query: { deviceId: string; metric: string; from: string; to: string }) {
    const mine = this.readings.filter(
      (r) => r.deviceId === query.deviceId && r.metric === query.metric,
    );
    // One "worker batch" per blockSize readings, in the order they were added.
    const blocks = [];
    for (let i = 0; i < mine.length; i += this.blockSize) {
      blocks.push(...packBlocks(mine.slice(i, i + this.blockSize)));
    }
    blocks.sort((a, b) => (a.key < b.key ? -1 : 1));
    const merge = new OldestFirstMerge(query);
    for (const block of blocks) {
      if (block.end < query.from) continue;
      const out = merge.add(block.readings, block.end);
      if (out.length > 0) yield out;
    }
    const rest = merge.finish();
    if (rest.length > 0) yield rest;
  }
}

const device = (id: string, labels: Record<string, string> = {}): Device => ({
  id,
  name: null,
  labels,
  firstSeenAt: at(0),
  lastSeenAt: at(3600),
  latest: [{ metric: 'temperature', value: 0, timestamp: at(3600) }],
});

function setup(devices: Device[] = [device('D1')]) {
  const history = new BlockHistory();
  const inventory = new FakeDeviceStore();
  for (const d of devices) inventory.devices.set(d.id, d);
  let clock = Date.parse(NOW);
  const deps: BacktestDeps & { history: BlockHistory } = {
    history,
    devices: inventory,
    now: () => clock,
  };
  return { history, inventory, deps, tick: (ms: number) => (clock += ms) };
}

const input = (
  rule: Partial<CreateRuleInput> = {},
  more: Partial<BacktestInput> = {},
): BacktestInput => ({
  rule: { metric: 'temperature', operator: 'GT', threshold: 60, ...rule },
  from: at(0),
  to: at(3600),
  ...more,
});

const run = (
  deps: BacktestDeps,
  rule: Partial<CreateRuleInput> = {},
  more: Partial<BacktestInput> = {},
) => backtest(parseBacktest(input(rule, more), NOW), deps);

describe('backtest: episodes', () => {
  it('given readings that breach, rise and clear twice, then two episodes with start, end, firing value, peak and readings breached', async () => {
    // Prepare
    const { history, deps } = setup();
    history.add('D1', [
      [50, 1],
      [61, 2],
      [75, 3],
      [70, 4],
      [40, 5],
      [65, 6],
    ]);

    // Act
    const result = await run(deps);

    // Assess
    expect(result.episodes).toEqual([
      {
        deviceId: 'D1',
        reason: 'THRESHOLD',
        startedAt: at(2),
        endedAt: at(5),
        latchedAt: null,
        eventId: 'D1-2',
        value: 61,
        peak: 75,
        readingsBreached: 3,
      },
      {
        deviceId: 'D1',
        reason: 'THRESHOLD',
        startedAt: at(6),
        endedAt: null,
        latchedAt: null,
        eventId: 'D1-6',
        value: 65,
        peak: 65,
        readingsBreached: 1,
      },
    ]);
    expect(result).toMatchObject({
      episodeCount: 2,
      episodesTruncated: false,
      readingsReplayed: 6,
      devices: [{ deviceId: 'D1', readings: 6, episodes: 2 }],
    });
  });

  it('given a rule for 3 readings, when only the third breach in a row arrives, then the episode starts at it', async () => {
    const { history, deps } = setup();
    history.add('D1', [
      [61, 1],
      [62, 2],
      [50, 3],
      [61, 4],
      [62, 5],
      [63, 6],
    ]);

    const result = await run(deps, { forReadings: 3 });

    expect(result.episodes.map((e) => [e.startedAt, e.value])).toEqual([[at(6), 63]]);
  });

  it('given a 10 s MAX window, then the episode fires on the aggregate and ends when the peak leaves the window', async () => {
    const { history, deps } = setup();
    history.add('D1', [
      [70, 0],
      [10, 5],
      [10, 11],
    ]);

    const result = await run(deps, { windowSeconds: 10, aggregation: 'MAX' });

    expect(result.episodes).toMatchObject([
      { startedAt: at(0), endedAt: at(11), value: 70, peak: 70, readingsBreached: 2 },
    ]);
  });

  it('given a clear threshold (hysteresis), then values between it and the threshold keep the episode open', async () => {
    const { history, deps } = setup();
    history.add('D1', [
      [61, 1],
      [55, 2],
      [52, 3],
      [49, 4],
    ]);

    const result = await run(deps, { clearThreshold: 50 });

    expect(result.episodes).toMatchObject([
      { startedAt: at(1), endedAt: at(4), readingsBreached: 1 },
    ]);
  });

  it('given a latched rule, when the condition clears, then the episode stays open, LATCHED since then, and a breach brings it back to firing', async () => {
    const { history, deps } = setup();
    history.add('D1', [
      [61, 1],
      [40, 2],
      [41, 3],
      [70, 4],
      [30, 5],
    ]);

    const result = await run(deps, { latch: true });

    // One alert: latched at 2, firing again at 4, latched again at 5, never resolved.
    expect(result.episodes).toEqual([
      expect.objectContaining({ startedAt: at(1), endedAt: null, latchedAt: at(5), peak: 70 }),
    ]);
  });

  it('given an LT rule, then the peak is the lowest value', async () => {
    const { history, deps } = setup();
    history.add('D1', [
      [5, 1],
      [2, 2],
      [4, 3],
    ]);

    const result = await run(deps, { operator: 'LT', threshold: 10 });

    expect(result.episodes).toMatchObject([{ value: 5, peak: 2, readingsBreached: 3 }]);
  });

  it('given blocks of overlapping times and copies of a reading, then each reading is replayed once, oldest first', async () => {
    const { history, deps } = setup();
    history.add('D1', [
      [61, 3],
      [50, 1],
      [70, 5],
      [40, 2],
      [50, 4],
    ]);
    history.add('D1', [[61, 3]]);
    history.blockSize = 2;

    const result = await run(deps);

    // Oldest first: 50@1, 40@2, 61@3 fires, 50@4 resolves, 70@5 fires.
    expect(result.readingsReplayed).toBe(5);
    expect(result.episodes.map((e) => [e.startedAt, e.endedAt])).toEqual([
      [at(3), at(4)],
      [at(5), null],
    ]);
  });

  it('given readings outside the range and of another metric, then they are not replayed', async () => {
    const { history, deps } = setup();
    history.add('D1', [
      [99, 1],
      [99, 2],
      [99, 4000],
    ]);
    history.add('D1', [[99, 3]], 'humidity');

    const result = await run(deps, {}, { from: at(2), to: at(3600) });

    expect(result.readingsReplayed).toBe(1);
    expect(result.episodes.map((e) => e.startedAt)).toEqual([at(2)]);
  });

  it('given a no-data rule, then a gap as long as noDataSeconds opens a NO_DATA episode the next reading ends, and a silence up to the end stays open', async () => {
    const { history, deps } = setup();
    history.add('D1', [
      [10, 0],
      [10, 100],
      [10, 130],
    ]);

    const result = await run(deps, { noDataSeconds: 60 }, { to: at(1000) });

    expect(result.episodes).toMatchObject([
      { reason: 'NO_DATA', startedAt: at(60), endedAt: at(100), eventId: null },
      { reason: 'NO_DATA', startedAt: at(190), endedAt: null },
    ]);
    expect(result.notes.some((note) => note.includes('noDataSeconds (60 s)'))).toBe(true);
  });

  it('given more episodes than the cap, then the oldest are listed, all are counted and the result says it is truncated', async () => {
    const { history, deps } = setup();
    const values: [number, number][] = [];
    for (let second = 0; second < 20; second++) values.push([second % 2 === 0 ? 61 : 0, second]);
    history.add('D1', values);

    const result = await backtest(parseBacktest(input(), NOW), {
      ...deps,
      budget: { ...defaultBudget, episodes: 4 },
    });

    expect(result.episodeCount).toBe(10);
    expect(result.episodesTruncated).toBe(true);
    expect(result.episodes.map((e) => e.startedAt)).toEqual([at(0), at(2), at(4), at(6)]);
  });

  it('given a disabled draft and a repeat interval, then both are replayed as notes say', async () => {
    const { deps } = setup();

    const result = await run(deps, { enabled: false, repeatIntervalSeconds: 60 });

    expect(result.notes.join('\n')).toMatch(/disabled/);
    expect(result.notes.join('\n')).toMatch(/repeatIntervalSeconds is not replayed/);
  });
});

describe('backtest: targets', () => {
  it('given a selector draft, then the devices it selects that report the metric are replayed, each counted', async () => {
    const quiet = { ...device('D4', { site: 'berlin' }), latest: [] };
    const { history, deps } = setup([
      device('D1', { site: 'berlin' }),
      device('D2', { site: 'paris' }),
      device('D3', { site: 'berlin' }),
      quiet,
    ]);
    history.add('D1', [[61, 1]]);
    history.add('D2', [[61, 1]]);
    history.add('D3', [[10, 1]]);

    const result = await run(deps, {
      selector: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
    });

    expect(result.devices).toEqual([
      { deviceId: 'D1', readings: 1, episodes: 1 },
      { deviceId: 'D3', readings: 1, episodes: 0 },
    ]);
  });

  it('given an every-device draft and input.deviceId, then only that device is replayed', async () => {
    const { history, deps } = setup([device('D1'), device('D2')]);
    history.add('D1', [[61, 1]]);
    history.add('D2', [[61, 1]]);

    const result = await run(deps, {}, { deviceId: 'D2' });

    expect(result.devices.map((d) => d.deviceId)).toEqual(['D2']);
  });

  it('given a device not in the inventory, then NotFound says how a device gets there', async () => {
    const { deps } = setup();

    await expect(run(deps, {}, { deviceId: 'ghost' })).rejects.toThrow(NotFoundError);
    await expect(run(deps, { deviceId: 'ghost' })).rejects.toThrow(/No device 'ghost'/);
  });

  it('given a selector draft and a device it does not select, then a ValidationError names input.deviceId', async () => {
    const { deps } = setup([device('D1', { site: 'paris' })]);

    const error = await run(
      deps,
      { selector: [{ key: 'site', operator: 'EQ', values: ['berlin'] }] },
      { deviceId: 'D1' },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('input.deviceId');
  });

  it('given more target devices than the budget, then LimitExceeded says to pick a device or a narrower selector', async () => {
    const { deps } = setup([device('D1'), device('D2'), device('D3')]);
    const budget: BacktestBudget = { ...defaultBudget, devices: 2 };

    await expect(backtest(parseBacktest(input(), NOW), { ...deps, budget })).rejects.toThrow(
      /more than 2 devices .* narrower selector/,
    );
  });
});

describe('backtest: bounds', () => {
  it('given more readings than the budget, then LimitExceeded says to narrow the range or the devices', async () => {
    const { history, deps } = setup();
    history.add(
      'D1',
      Array.from({ length: 10 }, (_, i): [number, number] => [i, i]),
    );
    const budget: BacktestBudget = { ...defaultBudget, readings: 5 };

    const error = await backtest(parseBacktest(input(), NOW), { ...deps, budget }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(LimitExceededError);
    expect((error as LimitExceededError).errorType).toBe('LimitExceeded');
    expect((error as Error).message).toMatch(/more than 5 readings.*narrow the range \(from, to\)/);
  });

  it('given a replay that runs past the deadline, then LimitExceeded says how far it got and to narrow it', async () => {
    const { history, deps, tick } = setup();
    // Two hours apart: each block is final before the next is read, one chunk each.
    history.add(
      'D1',
      Array.from({ length: 9 }, (_, i): [number, number] => [i, i * 7200]),
    );
    const slow: BacktestDeps = {
      ...deps,
      now: () => tick(400),
      budget: { ...defaultBudget, deadlineMs: 1000 },
    };

    await expect(
      backtest(parseBacktest(input({}, { to: at(20 * 3600) }), NOW), slow),
    ).rejects.toThrow(/did not finish within 1 s \(\d+ readings replayed so far\); narrow/);
  });
});

describe('parseBacktest', () => {
  it('given a draft createRule would refuse, then the same error, at input.rule', () => {
    const error = (() => {
      try {
        parseBacktest(input({ threshold: Number.NaN }), NOW);
      } catch (e) {
        return e;
      }
    })() as ValidationError;

    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe('input.rule.threshold');
    expect(error.message).toMatch(/^input\.rule\.threshold /);
  });

  it.each([
    [{ from: at(10), to: at(5) }, 'input.from', /must be before input.to/],
    [{ from: at(5), to: at(5) }, 'input.from', /must be before input.to/],
    [{ from: 'yesterday' }, 'input.from', /ISO-8601/],
    [{ deviceId: '' }, 'input.deviceId', /.+/],
  ])('given %o, then a ValidationError at %s', (more, field, message) => {
    expect(() => parseBacktest(input({}, more), NOW)).toThrow(message);
    try {
      parseBacktest(input({}, more), NOW);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('given a draft of one device and another input.deviceId, then it says to leave out one', () => {
    expect(() => parseBacktest(input({ deviceId: 'D1' }, { deviceId: 'D2' }), NOW)).toThrow(
      /is not the draft's device 'D1'/,
    );
  });
});
