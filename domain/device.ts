import type {
  Device as DeviceType,
  DeviceFilter as DeviceFilterInput,
  MetricValue as MetricValueType,
  Severity,
  UpdateDeviceInput,
} from '../generated/graphql.ts';
import {
  labelList,
  type Labels,
  type LabelSelector,
  parseLabels,
  parseSelector,
  selects,
} from './labels.ts';
import { limits } from './limits.ts';
import type { Reading } from './reading.ts';
import { severities } from './rule.ts';
import { optionalLabel } from './validation.ts';

/*
 * The device inventory. A device enters it with its first stored reading and is kept up to
 * date by the worker from the readings it stores: first and last seen, and the latest value
 * of each metric. People give it a name and labels; nothing else writes those.
 *
 * Keeping it cheap: the worker writes a device at most once per batch, and only when
 * something moved at least `limits.sightingGranularitySeconds` (reading time), or is new.
 * Readings arrive out of order, so nothing here ever moves a time backwards, except
 * `firstSeenAt`, which only moves back.
 */

/** The latest value of one metric (the GraphQL shape). */
export type MetricValue = Omit<MetricValueType, '__typename'>;

/** A device of the inventory: the GraphQL `Device` without the health fields. */
export interface Device {
  id: string;
  name: string | null;
  labels: Labels;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Sorted by metric name. */
  latest: MetricValue[];
}

/** What the worker learnt of one device from one batch of stored readings. */
export interface DeviceSighting {
  deviceId: string;
  /** The oldest and newest reading times of the device in the batch. */
  oldest: string;
  newest: string;
  /** The newest reading of each metric in the batch, by metric. */
  latest: Readonly<Record<string, { value: number; timestamp: string }>>;
}

/** What the inventory holds of a device's times: all the worker needs to decide a write. */
export interface SeenMarks {
  firstSeenAt: string;
  lastSeenAt: string;
  /** Each metric's latest time, by metric. */
  metrics: Readonly<Record<string, string>>;
}

/**
 * One write of a sighting: the times and latest values that move forward (and a first seen
 * that moves back). Each is written only if the stored one did not move past it meanwhile.
 */
export interface SightingWrite {
  deviceId: string;
  /** The device is not in the inventory (as far as the writer knows): create it. */
  create: boolean;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  latest: Readonly<Record<string, { value: number; timestamp: string }>>;
}

/** A device's health: the alerts it has firing now, and the worst of their severities. */
export interface DeviceHealth {
  openAlerts: number;
  worstSeverity: Severity | null;
}

/** What `devices` filters by: label matchers that must all hold, text in the id or name. */
export interface DeviceFilter {
  selector: LabelSelector | null;
  /** Lower case; null: no search. */
  search: string | null;
}

/** A change a person makes to a device: absent fields keep their value. */
export interface DeviceChange {
  /** null clears the name. */
  name?: string | null;
  /** Replaces every label. */
  labels?: Labels;
}

/** One sighting per device of a batch of stored readings. */
export function sightingsOf(readings: readonly Reading[]): DeviceSighting[] {
  const byDevice = new Map<
    string,
    {
      oldest: string;
      newest: string;
      latest: Record<string, { value: number; timestamp: string; id: string }>;
    }
  >();
  for (const reading of readings) {
    const seen = byDevice.get(reading.deviceId);
    if (!seen) {
      byDevice.set(reading.deviceId, {
        oldest: reading.timestamp,
        newest: reading.timestamp,
        latest: { [reading.metric]: reading },
      });
      continue;
    }
    if (reading.timestamp < seen.oldest) seen.oldest = reading.timestamp;
    if (reading.timestamp > seen.newest) seen.newest = reading.timestamp;
    const known = seen.latest[reading.metric];
    // The same order as evaluation's: by time, then by reading id.
    if (
      !known ||
      reading.timestamp > known.timestamp ||
      (reading.timestamp === known.timestamp && reading.id > known.id)
    ) {
      seen.latest[reading.metric] = reading;
    }
  }
  return [...byDevice].map(([deviceId, seen]) => ({
    deviceId,
    oldest: seen.oldest,
    newest: seen.newest,
    latest: Object.fromEntries(
      Object.entries(seen.latest).map(([metric, { value, timestamp }]) => [
        metric,
        { value, timestamp },
      ]),
    ),
  }));
}

/**
 * Decides what of a sighting to write, given what the inventory holds of the device (null:
 * not there): everything for a new device; otherwise nothing unless a metric is new, a
 * metric's latest time moves forward by the granularity or more, or the first seen moves
 * back by it; and then every time that moves. Seen times are reading times, but never later
 * than `now` (a device clock ahead must not keep a silent device looking alive).
 */
export function planSighting(
  known: SeenMarks | null,
  sighting: DeviceSighting,
  now: number,
  granularityMs = limits.sightingGranularitySeconds * 1000,
): SightingWrite | null {
  const nowText = new Date(now).toISOString();
  const oldest = earlier(sighting.oldest, nowText);
  const newest = earlier(sighting.newest, nowText);
  if (known === null) {
    return {
      deviceId: sighting.deviceId,
      create: true,
      firstSeenAt: oldest,
      lastSeenAt: newest,
      latest: sighting.latest,
    };
  }
  const movedBy = (from: string, to: string) => Date.parse(to) - Date.parse(from);
  let due = movedBy(oldest, known.firstSeenAt) >= granularityMs;
  const latest: Record<string, { value: number; timestamp: string }> = {};
  for (const [metric, value] of Object.entries(sighting.latest)) {
    const before = Object.hasOwn(known.metrics, metric) ? known.metrics[metric] : undefined;
    if (before === undefined || movedBy(before, value.timestamp) >= granularityMs) due = true;
    if (before === undefined || value.timestamp > before) latest[metric] = value;
  }
  if (!due) return null;
  return {
    deviceId: sighting.deviceId,
    create: false,
    firstSeenAt: oldest < known.firstSeenAt ? oldest : null,
    lastSeenAt: newest > known.lastSeenAt ? newest : null,
    latest,
  };
}

/** What the inventory holds after `write` succeeded on `known`. */
export function afterSighting(known: SeenMarks | null, write: SightingWrite): SeenMarks {
  const metrics: Record<string, string> = { ...(known?.metrics ?? {}) };
  for (const [metric, { timestamp }] of Object.entries(write.latest)) metrics[metric] = timestamp;
  return {
    firstSeenAt: write.firstSeenAt ?? (known as SeenMarks).firstSeenAt,
    lastSeenAt: write.lastSeenAt ?? (known as SeenMarks).lastSeenAt,
    metrics,
  };
}

/** What the inventory holds of a device's times. */
export function seenMarks(device: Device): SeenMarks {
  return {
    firstSeenAt: device.firstSeenAt,
    lastSeenAt: device.lastSeenAt,
    metrics: Object.fromEntries(device.latest.map(({ metric, timestamp }) => [metric, timestamp])),
  };
}

/** Validates `updateDevice`'s input: a name of at most 100 characters, labels as domain/labels.ts says. */
export function parseDeviceChange(input: UpdateDeviceInput): DeviceChange {
  const change: DeviceChange = {};
  if (input.name !== undefined) {
    change.name =
      input.name === ''
        ? null
        : optionalLabel(input.name, 'input.name', limits.maxDeviceNameLength);
  }
  if (input.labels !== undefined && input.labels !== null) {
    change.labels = parseLabels(input.labels, 'input.labels');
  }
  return change;
}

/** Validates `devices`' filter: label matchers (none: every device) and a search text. */
export function parseDeviceFilter(input: DeviceFilterInput | null | undefined): DeviceFilter {
  const labels = input?.labels;
  const text = input?.search === '' ? null : input?.search;
  const search = optionalLabel(text, 'filter.search', limits.maxDeviceSearchLength);
  return {
    selector:
      labels === null || labels === undefined || labels.length === 0
        ? null
        : parseSelector(labels, 'filter.labels'),
    search: search === null ? null : search.toLowerCase(),
  };
}

/** True when the device passes the filter: its labels match, the search is in its id or name. */
export function passesFilter(device: Device, filter: DeviceFilter): boolean {
  if (filter.selector !== null && !selects(filter.selector, device.labels)) return false;
  if (filter.search === null) return true;
  return (
    device.id.toLowerCase().includes(filter.search) ||
    (device.name ?? '').toLowerCase().includes(filter.search)
  );
}

/** No alert firing. */
export const healthy: DeviceHealth = { openAlerts: 0, worstSeverity: null };

/** A device as the API returns it: labels as a list sorted by key, and its health. */
export function deviceView(device: Device, health: DeviceHealth): Omit<DeviceType, '__typename'> {
  return { ...device, labels: labelList(device.labels), ...health };
}

/** A device's health from the severities of its firing alerts. */
export function healthOf(firing: readonly Severity[]): DeviceHealth {
  let worst: Severity | null = null;
  for (const severity of firing) {
    if (worst === null || severities.indexOf(severity) > severities.indexOf(worst)) {
      worst = severity;
    }
  }
  return { openAlerts: firing.length, worstSeverity: worst };
}

function earlier(a: string, b: string): string {
  return a < b ? a : b;
}
