/**
 * How readings are stored: packed into blocks, one per device and metric for the readings of
 * that device and metric that one worker batch carried, instead of one item per reading. A
 * block of tens of readings costs one DynamoDB write, where an item per reading with its two
 * indexes cost three writes per reading; that difference is most of the product's AWS bill.
 *
 * A block's sort key starts with the time of its newest reading, and a block spans at most
 * BLOCK_SPAN_MS of event time, so the readings of a time range live in the blocks whose key
 * lies between the range's start and its end plus one span. Listings merge blocks newest
 * first (NewestFirstPage) and page by the last reading returned (time, then id), so pages
 * are in strict newest-first order however blocks overlap.
 *
 * A reading is identified by device, id and timestamp: a redelivery or a retry of the same
 * reading (the API settles the timestamp at the edge; devices should send their own) lands
 * in a block with the same key, or is dropped as a copy when blocks are merged.
 */
import { createHash } from 'node:crypto';
import type { Reading } from './reading.ts';
import { formatDateTime } from './time.ts';

/** Event time one block spans at most. */
export const BLOCK_SPAN_MS = 3600_000;
/** Readings one block holds at most, keeping an item far below DynamoDB's 400 KB. */
export const MAX_BLOCK_READINGS = 1000;

export interface ReadingBlock {
  deviceId: string;
  metric: string;
  /** `<newest timestamp>#<metric>#<content hash>`: time-ordered, and the same for the same readings. */
  key: string;
  /** Timestamps of the oldest and the newest reading. */
  start: string;
  end: string;
  readings: Reading[];
}

/** Newest first: later time, then the greater id, then the greater metric. */
export function newestFirst(a: Reading, b: Reading): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return a.metric < b.metric ? 1 : a.metric > b.metric ? -1 : 0;
}

/** Whether a reading comes after the cursor in newest-first order (it is older). */
function olderThan(reading: Reading, cursor: ReadingCursor): boolean {
  if (reading.timestamp !== cursor.timestamp) return reading.timestamp < cursor.timestamp;
  if (reading.id !== cursor.id) return reading.id < cursor.id;
  return reading.metric < cursor.metric;
}

/** Copies of one reading: same time, id and metric (listings may mix a device's metrics). */
function sameReading(a: Reading, b: Reading): boolean {
  return a.timestamp === b.timestamp && a.id === b.id && a.metric === b.metric;
}

/**
 * Packs readings into blocks: by device and metric, in time order, a new block whenever the
 * span or the size would be exceeded. A reading given twice (same device, id and time) is
 * packed once.
 */
export function packBlocks(readings: readonly Reading[]): ReadingBlock[] {
  const groups = new Map<string, Reading[]>();
  for (const reading of readings) {
    const group = `${reading.deviceId}\u0000${reading.metric}`;
    const list = groups.get(group);
    if (list) list.push(reading);
    else groups.set(group, [reading]);
  }
  const blocks: ReadingBlock[] = [];
  for (const group of groups.values()) {
    const ordered = group.sort((a, b) => newestFirst(b, a));
    let current: Reading[] = [];
    for (const reading of ordered) {
      const first = current[0];
      const last = current[current.length - 1];
      if (last && sameReading(last, reading)) continue;
      if (
        first &&
        (current.length >= MAX_BLOCK_READINGS ||
          Date.parse(reading.timestamp) - Date.parse(first.timestamp) > BLOCK_SPAN_MS)
      ) {
        blocks.push(block(current));
        current = [];
      }
      current.push(reading);
    }
    if (current.length > 0) blocks.push(block(current));
  }
  return blocks;
}

function block(oldestFirst: Reading[]): ReadingBlock {
  const first = oldestFirst[0] as Reading;
  const last = oldestFirst[oldestFirst.length - 1] as Reading;
  const content = createHash('sha256');
  for (const reading of oldestFirst)
    content.update(`${reading.timestamp}\u0000${reading.id}\u0000`);
  return {
    deviceId: first.deviceId,
    metric: first.metric,
    key: `${last.timestamp}#${first.metric}#${content.digest('base64url').slice(0, 16)}`,
    start: first.timestamp,
    end: last.timestamp,
    readings: oldestFirst,
  };
}

/** A block's readings as stored: `[[epoch ms, value, id], …]`, oldest first. */
export function encodeReadings(readings: readonly Reading[]): string {
  return JSON.stringify(readings.map((r) => [Date.parse(r.timestamp), r.value, r.id]));
}

export function decodeReadings(deviceId: string, metric: string, encoded: string): Reading[] {
  return (JSON.parse(encoded) as [number, number, string][]).map(([at, value, id]) => ({
    id,
    deviceId,
    metric,
    value,
    timestamp: formatDateTime(at),
  }));
}

/** Where the previous page stopped: its last reading's time, id and metric. */
export interface ReadingCursor {
  timestamp: string;
  id: string;
  metric: string;
}

/**
 * Sort-key bounds of the blocks that can hold readings in [from, to] older than `after`:
 * a block ends at its newest reading and spans at most BLOCK_SPAN_MS.
 */
export function blockKeyRange(
  range: { from: string | null; to: string | null },
  after: ReadingCursor | null,
): { low: string | null; high: string | null } {
  const tops = [range.to, after?.timestamp].filter(
    (t): t is string => t !== null && t !== undefined,
  );
  const top = tops.length === 0 ? null : tops.reduce((a, b) => (a < b ? a : b));
  return {
    low: range.from,
    high: top === null ? null : `${formatDateTime(Date.parse(top) + BLOCK_SPAN_MS)}#\uffff`,
  };
}

/**
 * One newest-first page assembled from blocks fed in descending key order. Keeps the
 * readings inside the range and after the cursor, drops copies, and says when no block
 * still to come can change the page.
 */
export class NewestFirstPage {
  readonly #limit: number;
  readonly #from: string | null;
  readonly #to: string | null;
  readonly #after: ReadingCursor | null;
  #candidates: Reading[] = [];

  constructor(
    range: { from: string | null; to: string | null },
    after: ReadingCursor | null,
    limit: number,
  ) {
    this.#from = range.from;
    this.#to = range.to;
    this.#after = after;
    this.#limit = limit;
  }

  add(readings: readonly Reading[]): void {
    const after = this.#after;
    for (const reading of readings) {
      if (this.#from !== null && reading.timestamp < this.#from) continue;
      if (this.#to !== null && reading.timestamp > this.#to) continue;
      if (after && !olderThan(reading, after)) continue;
      this.#candidates.push(reading);
    }
  }

  /**
   * True once `limit` readings are in hand that are newer than anything a block ending at
   * `nextBlockEnd` (the newest time any block still to come can hold) could add.
   */
  complete(nextBlockEnd: string): boolean {
    this.#settle();
    const last = this.#candidates[this.#limit - 1];
    return last !== undefined && nextBlockEnd < last.timestamp;
  }

  /** The page, and the cursor of its last reading when more may follow. */
  result(moreBlocks: boolean): { items: Reading[]; after: ReadingCursor | null } {
    this.#settle();
    const items = this.#candidates.slice(0, this.#limit);
    const more = this.#candidates.length > this.#limit || moreBlocks;
    const last = items[items.length - 1];
    return {
      items,
      after:
        more && last && items.length === this.#limit
          ? { timestamp: last.timestamp, id: last.id, metric: last.metric }
          : null,
    };
  }

  #settle(): void {
    this.#candidates.sort(newestFirst);
    // Beyond limit + 1 nothing can reach this page (the extra one says more follow).
    const kept: Reading[] = [];
    for (const reading of this.#candidates) {
      // Copies sort next to each other: look back over the run of the same time and id.
      let copy = false;
      for (let i = kept.length - 1; i >= 0; i--) {
        const other = kept[i] as Reading;
        if (other.timestamp !== reading.timestamp || other.id !== reading.id) break;
        if (other.metric === reading.metric) copy = true;
      }
      if (copy) continue;
      kept.push(reading);
      if (kept.length > this.#limit) break;
    }
    this.#candidates = kept;
  }
}

/** Oldest first: earlier time, then the smaller id, then the smaller metric (the worker's order). */
export function oldestFirst(a: Reading, b: Reading): number {
  return newestFirst(b, a);
}

/**
 * A device's readings in the time range, oldest first, from blocks fed in ascending key order
 * (the order of their newest reading): what a replay reads. Blocks of different worker
 * batches may overlap in time, so a reading is given out only once no block still to come can
 * hold an older one: a block ending at `end` starts no earlier than `end - BLOCK_SPAN_MS`,
 * and every later block ends later. Copies of a reading are given out once.
 */
export class OldestFirstMerge {
  readonly #from: string;
  readonly #to: string;
  /** Readings in the range not given out yet, oldest first. */
  #pending: Reading[] = [];

  constructor(range: { from: string; to: string }) {
    this.#from = range.from;
    this.#to = range.to;
  }

  /** Takes one block's readings (oldest first, as stored); returns those now final, oldest first. */
  add(readings: readonly Reading[], blockEnd: string): Reading[] {
    const last = this.#pending[this.#pending.length - 1];
    let ordered = last === undefined;
    for (const reading of readings) {
      if (reading.timestamp < this.#from || reading.timestamp > this.#to) continue;
      this.#pending.push(reading);
    }
    const first = readings[0];
    if (!ordered && first !== undefined && last !== undefined) {
      ordered = oldestFirst(last, first) < 0;
    }
    if (!ordered) this.#pending.sort(oldestFirst);
    const cutoff = formatDateTime(Date.parse(blockEnd) - BLOCK_SPAN_MS);
    let final = 0;
    while (final < this.#pending.length && (this.#pending[final] as Reading).timestamp < cutoff) {
      final++;
    }
    return this.#take(final);
  }

  /** Everything still held: the last blocks were read. */
  finish(): Reading[] {
    return this.#take(this.#pending.length);
  }

  #take(count: number): Reading[] {
    if (count === 0) return [];
    const taken = this.#pending.slice(0, count);
    this.#pending = this.#pending.slice(count);
    const out: Reading[] = [];
    for (const reading of taken) {
      const previous = out[out.length - 1];
      if (previous && sameReading(previous, reading)) continue;
      out.push(reading);
    }
    return out;
  }
}
