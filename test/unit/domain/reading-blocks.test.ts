import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../domain/reading.ts';
import {
  BLOCK_SPAN_MS,
  blockKeyRange,
  decodeReadings,
  encodeReadings,
  MAX_BLOCK_READINGS,
  NewestFirstPage,
  OldestFirstMerge,
  packBlocks,
} from '../../../domain/reading-blocks.ts';

const T0 = Date.UTC(2026, 10, 1, 10, 0, 0);
const reading = (id: string, offsetMs: number, overrides: Partial<Reading> = {}): Reading => ({
  id,
  deviceId: 'D1',
  metric: 'temperature',
  value: offsetMs / 1000,
  timestamp: new Date(T0 + offsetMs).toISOString(),
  ...overrides,
});

describe('packBlocks', () => {
  it('given readings of two devices and two metrics, then there is one block per device and metric, oldest first inside', () => {
    const blocks = packBlocks([
      reading('b', 2000),
      reading('a', 1000),
      reading('h', 1500, { metric: 'humidity' }),
      reading('x', 500, { deviceId: 'D2' }),
    ]);

    expect(blocks.map((b) => [b.deviceId, b.metric, b.readings.map((r) => r.id)])).toEqual([
      ['D1', 'temperature', ['a', 'b']],
      ['D1', 'humidity', ['h']],
      ['D2', 'temperature', ['x']],
    ]);
    const [first] = blocks;
    expect(first?.start).toBe(reading('a', 1000).timestamp);
    expect(first?.end).toBe(reading('b', 2000).timestamp);
    expect(first?.key.startsWith(`${first.end}#temperature#`)).toBe(true);
  });

  it('given the same readings in another order or twice, then the block key is the same and each reading is packed once', () => {
    const once = packBlocks([reading('a', 1), reading('b', 2)]);
    const again = packBlocks([reading('b', 2), reading('a', 1), reading('b', 2)]);

    expect(again).toEqual(once);
    expect(packBlocks([reading('a', 1), reading('c', 2)])[0]?.key).not.toBe(once[0]?.key);
  });

  it('given readings over more than a span, or more than a block holds, then blocks are split so that neither is exceeded', () => {
    const overSpan = packBlocks([
      reading('a', 0),
      reading('b', BLOCK_SPAN_MS),
      reading('c', BLOCK_SPAN_MS + 1),
    ]);
    expect(overSpan.map((b) => b.readings.map((r) => r.id))).toEqual([['a', 'b'], ['c']]);

    const many = Array.from({ length: MAX_BLOCK_READINGS + 1 }, (_, i) => reading(`r${i}`, i));
    expect(packBlocks(many).map((b) => b.readings.length)).toEqual([MAX_BLOCK_READINGS, 1]);
  });
});

describe('encodeReadings and decodeReadings', () => {
  it('given readings, then they come back as they went in, with device and metric restored', () => {
    const readings = [reading('a', 0), reading('b', 1234, { value: -0.5 })];

    expect(decodeReadings('D1', 'temperature', encodeReadings(readings))).toEqual(readings);
  });
});

describe('blockKeyRange', () => {
  it('given a range and a cursor, then blocks are read from the start to the earlier of range end and cursor, plus one span', () => {
    const from = reading('f', 0).timestamp;
    const to = reading('t', 60_000).timestamp;
    const cursor = { timestamp: reading('c', 30_000).timestamp, id: 'c', metric: 'temperature' };

    expect(blockKeyRange({ from, to }, cursor)).toEqual({
      low: from,
      high: `${new Date(T0 + 30_000 + BLOCK_SPAN_MS).toISOString()}#\uffff`,
    });
    expect(blockKeyRange({ from: null, to: null }, null)).toEqual({ low: null, high: null });
  });
});

describe('NewestFirstPage', () => {
  it('given blocks that overlap, then the page is newest first, without copies, and ends with a cursor when more may follow', () => {
    const page = new NewestFirstPage({ from: null, to: null }, null, 3);
    page.add([reading('a', 1), reading('c', 3), reading('e', 5)]);
    page.add([reading('b', 2), reading('d', 4), reading('e', 5)]);

    const { items, after } = page.result(true);

    expect(items.map((r) => r.id)).toEqual(['e', 'd', 'c']);
    expect(after).toEqual({ timestamp: reading('c', 3).timestamp, id: 'c', metric: 'temperature' });
  });

  it('given a cursor and a range, then only readings inside the range and older than the cursor are kept', () => {
    const range = { from: reading('x', 2).timestamp, to: reading('x', 8).timestamp };
    const page = new NewestFirstPage(
      range,
      { timestamp: reading('x', 6).timestamp, id: 'm', metric: 'temperature' },
      10,
    );
    page.add(['1', '2', '5', '6', '7', '9'].map((s) => reading(`r${s}`, Number(s))));
    page.add([reading('a', 6), reading('z', 6)]);

    const { items, after } = page.result(false);

    // At the cursor's time, ids after 'm' (r6, z) were on earlier pages.
    expect(items.map((r) => r.id)).toEqual(['a', 'r5', 'r2']);
    expect(after).toBeNull();
  });

  it('given a full page, then it is complete only once no block still to come can hold a newer reading', () => {
    const page = new NewestFirstPage({ from: null, to: null }, null, 2);
    page.add([reading('a', 10), reading('b', 20)]);

    expect(page.complete(reading('', 30).timestamp)).toBe(false);
    expect(page.complete(reading('', 10).timestamp)).toBe(false);
    expect(page.complete(reading('', 9).timestamp)).toBe(true);
  });
});

describe('NewestFirstPage across metrics', () => {
  it('given two metrics with a reading of the same id and time, then both are listed, one page after the other', () => {
    const both = [reading('42', 5), reading('42', 5, { metric: 'humidity' })];
    const first = new NewestFirstPage({ from: null, to: null }, null, 1);
    first.add(both);
    const one = first.result(true);
    const second = new NewestFirstPage({ from: null, to: null }, one.after, 1);
    second.add(both);
    const two = second.result(false);

    expect([...one.items, ...two.items].map((r) => r.metric)).toEqual(['temperature', 'humidity']);
  });
});

describe('OldestFirstMerge', () => {
  const range = { from: reading('x', 0).timestamp, to: reading('x', 10 * BLOCK_SPAN_MS).timestamp };

  it('given blocks in key order that overlap in time, then readings come out oldest first, each once a later block cannot precede it', () => {
    // Prepare: two worker batches of the same hour, then one an hour and a half later.
    const merge = new OldestFirstMerge(range);
    const first = packBlocks([reading('a', 1000), reading('c', 3000)]);
    const second = packBlocks([reading('b', 2000), reading('d', 4000), reading('c', 3000)]);
    const later = packBlocks([reading('e', BLOCK_SPAN_MS + 5000)]);
    const blocks = [...first, ...second, ...later].sort((x, y) => (x.key < y.key ? -1 : 1));

    // Act
    const chunks = blocks.map((block) => merge.add(block.readings, block.end).map((r) => r.id));
    chunks.push(merge.finish().map((r) => r.id));

    // Assess: nothing is given out before a block an hour later proves it final.
    expect(chunks).toEqual([[], [], ['a', 'b', 'c', 'd'], ['e']]);
  });

  it('given readings outside the range, then they are left out', () => {
    const merge = new OldestFirstMerge({
      from: reading('x', 1000).timestamp,
      to: reading('x', 2000).timestamp,
    });
    const [block] = packBlocks([
      reading('a', 500),
      reading('b', 1000),
      reading('c', 2000),
      reading('d', 2500),
    ]);

    merge.add(block?.readings ?? [], block?.end ?? '');

    expect(merge.finish().map((r) => r.id)).toEqual(['b', 'c']);
  });

  it('given readings of one time, then they come out by id, as the worker applies them', () => {
    const merge = new OldestFirstMerge(range);
    merge.add([reading('b', 1000)], reading('b', 1000).timestamp);
    merge.add([reading('a', 1000)], reading('a', 1000).timestamp);

    expect(merge.finish().map((r) => r.id)).toEqual(['a', 'b']);
  });
});
