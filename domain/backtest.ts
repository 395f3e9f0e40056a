import type {
  BacktestDeviceCount as BacktestDeviceCountType,
  BacktestEpisode as BacktestEpisodeType,
  BacktestInput,
  BacktestResult as BacktestResultType,
  Operator,
} from '../generated/graphql.ts';
import type { Alert } from './alert.ts';
import type { Device } from './device.ts';
import { aggregate, applyReading, checkTime, type EpisodeState, newEpisode } from './episode.ts';
import { LimitExceededError, NotFoundError, ValidationError } from './errors.ts';
import { selects } from './labels.ts';
import { limits } from './limits.ts';
import { pageRequest } from './pagination.ts';
import type { DeviceStore, ReadingHistory } from './ports.ts';
import type { Reading } from './reading.ts';
import { breaches, newRule, type Rule } from './rule.ts';
import { formatDateTime, parseDateTime } from './time.ts';
import { requireId } from './validation.ts';

/*
 * A backtest: a draft rule replayed over stored readings, in memory, writing nothing. Each
 * device's readings go oldest first through the same episode steps the worker takes
 * (domain/episode.ts: for-N, windows and their aggregation, hysteresis, and whatever else the
 * episode reads), each step at its reading's time; the episodes are read off the states the
 * steps leave. docs/backtest.md tells what it replays and what differs from live evaluation.
 */

export type BacktestEpisode = Omit<BacktestEpisodeType, '__typename'>;
export type BacktestDeviceCount = Omit<BacktestDeviceCountType, '__typename'>;
export type BacktestResult = Omit<BacktestResultType, '__typename' | 'episodes' | 'devices'> & {
  episodes: BacktestEpisode[];
  devices: BacktestDeviceCount[];
};

/** The id the draft rule takes in a replay (alert ids derive from it; nothing is stored). */
export const BACKTEST_RULE_ID = 'backtest';

/** A validated backtest: the draft as createRule would make it, the device asked for, the range. */
export interface BacktestRequest {
  rule: Rule;
  /** The one device to replay; null: the draft's own target. */
  deviceId: string | null;
  from: string;
  to: string;
}

/** How much one backtest may do (limits.ts holds the defaults). */
export interface BacktestBudget {
  readings: number;
  deadlineMs: number;
  devices: number;
  episodes: number;
}

export const defaultBudget: BacktestBudget = {
  readings: limits.backtestMaxReadings,
  deadlineMs: limits.backtestDeadlineMs,
  devices: limits.backtestMaxDevices,
  episodes: limits.backtestMaxEpisodes,
};

export interface BacktestDeps {
  history: ReadingHistory;
  /** The inventory: the device asked for, or the devices the draft targets. */
  devices: Pick<DeviceStore, 'get' | 'list'>;
  /** Wall-clock time (epoch ms): the deadline, and where a still silent device's gap ends. */
  now: () => number;
  budget?: BacktestBudget;
}

/** Devices whose readings are read at once: the store's round trips overlap. */
const DEVICES_AT_ONCE = 4;

/**
 * Reads a backtest's input: the draft rule exactly as createRule validates it (its errors name
 * `input.rule.…`), the device, and a range whose start is before its end. `at` is now.
 */
export function parseBacktest(input: BacktestInput, at: string): BacktestRequest {
  if (input === null || typeof input !== 'object') {
    throw new ValidationError('input must be an object', 'input');
  }
  let rule: Rule;
  try {
    rule = newRule(input.rule, BACKTEST_RULE_ID, at);
  } catch (error) {
    throw error instanceof ValidationError ? asRuleField(error) : error;
  }
  const deviceId =
    input.deviceId === null || input.deviceId === undefined
      ? null
      : requireId(input.deviceId, 'input.deviceId');
  if (deviceId !== null && rule.deviceId !== null && deviceId !== rule.deviceId) {
    throw new ValidationError(
      `input.deviceId '${deviceId}' is not the draft's device '${rule.deviceId}'; leave out input.deviceId or input.rule.deviceId`,
      'input.deviceId',
    );
  }
  const fromMs = parseDateTime(input.from, 'input.from');
  const toMs = parseDateTime(input.to, 'input.to');
  if (fromMs >= toMs) {
    throw new ValidationError(
      `input.from (${formatDateTime(fromMs)}) must be before input.to (${formatDateTime(toMs)})`,
      'input.from',
    );
  }
  return { rule, deviceId, from: formatDateTime(fromMs), to: formatDateTime(toMs) };
}

/** A rule error as the backtest's input has it: the draft sits at `input.rule`. */
function asRuleField(error: ValidationError): ValidationError {
  const moved = (text: string) => text.replaceAll('input.', 'input.rule.');
  return new ValidationError(
    moved(error.message),
    error.field === undefined ? undefined : moved(error.field),
  );
}

/**
 * Replays the request's range for each device it targets and returns the episodes the draft
 * would have fired. Refuses, with what to narrow, a call that would replay more than the
 * budget's readings or devices, or run past its deadline.
 */
export async function backtest(
  request: BacktestRequest,
  deps: BacktestDeps,
): Promise<BacktestResult> {
  const budget = deps.budget ?? defaultBudget;
  const startedAt = deps.now();
  const devices = await targetDevices(request, deps, budget);
  const replays = devices.map((id) => new DeviceReplay(request.rule, id, budget.episodes));
  const spent = { readings: 0, failure: null as Error | null };
  let next = 0;
  const lane = async () => {
    while (next < replays.length && spent.failure === null) {
      const replay = replays[next++] as DeviceReplay;
      const query = { deviceId: replay.deviceId, metric: request.rule.metric, ...range(request) };
      for await (const chunk of deps.history.oldestFirst(query)) {
        if (spent.failure) return;
        spent.readings += chunk.length;
        if (spent.readings > budget.readings) {
          spent.failure = new LimitExceededError(
            `This backtest needs more than ${budget.readings.toLocaleString('en')} readings, the most one call replays; narrow the range (from, to) or the devices (deviceId, or a narrower selector)`,
          );
          return;
        }
        if (deps.now() - startedAt > budget.deadlineMs) {
          spent.failure = new LimitExceededError(
            `This backtest did not finish within ${budget.deadlineMs / 1000} s (${spent.readings.toLocaleString('en')} readings replayed so far); narrow the range (from, to) or the devices (deviceId, or a narrower selector)`,
          );
          return;
        }
        for (const reading of chunk) replay.apply(reading);
      }
      replay.finish(Math.min(Date.parse(request.to), deps.now()));
    }
  };
  await Promise.all(Array.from({ length: Math.min(DEVICES_AT_ONCE, replays.length) }, lane));
  if (spent.failure) throw spent.failure;
  return summarise(request, replays, budget);
}

function range(request: BacktestRequest): { from: string; to: string } {
  return { from: request.from, to: request.to };
}

/**
 * The devices to replay: the one asked for (or the draft's own), which must be in the
 * inventory (and selected by the draft's selector, if it has one); else the inventory's
 * devices the draft targets that reported its metric, at most the budget's.
 */
async function targetDevices(
  request: BacktestRequest,
  deps: BacktestDeps,
  budget: BacktestBudget,
): Promise<string[]> {
  const { rule } = request;
  const id = request.deviceId ?? rule.deviceId;
  if (id !== null) {
    const device = await deps.devices.get(id);
    if (!device) {
      throw new NotFoundError(
        `No device '${id}' in the inventory: a device enters it with its first stored reading`,
      );
    }
    if (rule.selector && !selects(rule.selector, device.labels)) {
      throw new ValidationError(
        `The draft's selector does not select device '${id}' by its labels; pick a device it selects, or change the selector`,
        'input.deviceId',
      );
    }
    return [id];
  }
  const found: string[] = [];
  let nextToken: string | null = null;
  do {
    const filter = { selector: rule.selector, search: null };
    const page = await deps.devices.list(
      filter,
      pageRequest({ limit: limits.maxPageSize, nextToken }, { backtest: filter }),
    );
    for (const device of page.items) {
      if (!mayHaveReadings(device, rule.metric, request)) continue;
      found.push(device.id);
      if (found.length > budget.devices) {
        throw new LimitExceededError(
          `The draft targets more than ${budget.devices} devices that report ${rule.metric}, the most one backtest replays; pick a device (deviceId) or a narrower selector`,
        );
      }
    }
    nextToken = page.nextToken;
  } while (nextToken !== null);
  return found.sort();
}

/** Whether the inventory says the device may have readings of the metric in the range. */
function mayHaveReadings(device: Device, metric: string, request: BacktestRequest): boolean {
  // The inventory keeps last seen to its granularity: a device seen a little before `from`
  // may have readings just after.
  const lastSeen = Date.parse(device.lastSeenAt) + limits.sightingGranularitySeconds * 1000;
  return (
    device.latest.some((value) => value.metric === metric) &&
    device.firstSeenAt <= request.to &&
    lastSeen >= Date.parse(request.from)
  );
}

/** One device's replay: its episode state, stepped reading by reading, and what it fired. */
class DeviceReplay {
  readonly deviceId: string;
  readonly #rule: Rule;
  readonly #maxEpisodes: number;
  #state: EpisodeState;
  readings = 0;
  episodeCount = 0;
  /** The oldest episodes, at most the budget's (the summary keeps the oldest of all devices). */
  readonly episodes: BacktestEpisode[] = [];
  /** The open THRESHOLD and NO_DATA episodes, by the id of the alert that opened them. */
  #open: { id: string; episode: BacktestEpisode } | null = null;
  #silent: { id: string; episode: BacktestEpisode } | null = null;

  constructor(rule: Rule, deviceId: string, maxEpisodes: number) {
    this.#rule = rule;
    this.deviceId = deviceId;
    this.#maxEpisodes = maxEpisodes;
    this.#state = newEpisode(rule.id, deviceId);
  }

  apply(reading: Reading): void {
    const at = Date.parse(reading.timestamp);
    this.#checkSilence(at);
    this.readings++;
    this.#take(applyReading(this.#rule, this.#state, reading, at).state, reading);
  }

  /** The end of the range (or now, if sooner): a device silent since its last reading. */
  finish(end: number): void {
    this.#checkSilence(end);
  }

  /**
   * A gap in the readings that reached `noDataSeconds` before `until`: the scheduled check's
   * step, taken at the moment the silence became long enough.
   */
  #checkSilence(until: number): void {
    const { noDataSeconds } = this.#rule;
    const { lastAt } = this.#state;
    if (noDataSeconds === null || lastAt === null || this.#state.noData !== null) return;
    const due = Date.parse(lastAt) + noDataSeconds * 1000;
    if (due <= until) this.#take(checkTime(this.#rule, this.#state, due).state, null);
  }

  /** Moves to the step's state and reads the episodes that opened or closed off it. */
  #take(state: EpisodeState, reading: Reading | null): void {
    // Notifications are the worker's to deliver; a replay has nobody to tell.
    this.#state = state.outbox.length > 0 ? { ...state, outbox: [] } : state;
    this.#open = this.#follow(this.#open, state.open, reading);
    this.#silent = this.#follow(this.#silent, state.noData, reading);
    if (this.#open && reading) {
      // A latched rule's alert whose condition cleared stays open, LATCHED, until
      // acknowledged; a breach brings it back to FIRING.
      const { episode } = this.#open;
      if (state.open?.status !== 'LATCHED') episode.latchedAt = null;
      else if (episode.latchedAt === null) episode.latchedAt = reading.timestamp;
      this.#observe(episode, reading);
    }
  }

  /** The episode of `alert` (the state's open alert of one kind) after a step. */
  #follow(
    current: { id: string; episode: BacktestEpisode } | null,
    alert: Alert | null,
    reading: Reading | null,
  ): { id: string; episode: BacktestEpisode } | null {
    if (current?.id === alert?.id) return current;
    if (current && reading) current.episode.endedAt = reading.timestamp;
    if (!alert) return null;
    const episode: BacktestEpisode = {
      deviceId: this.deviceId,
      reason: alert.reason,
      startedAt:
        alert.reason === 'NO_DATA' ? alert.firedAt : (alert.eventTimestamp ?? alert.firedAt),
      endedAt: null,
      latchedAt: null,
      eventId: alert.eventId ?? null,
      value: alert.value,
      peak: alert.value,
      readingsBreached: 0,
    };
    this.episodeCount++;
    if (this.episodes.length < this.#maxEpisodes) this.episodes.push(episode);
    return { id: alert.id, episode };
  }

  /** A reading evaluated while a THRESHOLD episode is open: its peak and breaching readings. */
  #observe(episode: BacktestEpisode, reading: Reading): void {
    const rule = this.#rule;
    const value =
      rule.windowSeconds === null
        ? reading.value
        : aggregate(rule.aggregation ?? 'AVG', this.#state.window);
    if (!breaches(rule.operator, value, rule.threshold)) return;
    episode.readingsBreached++;
    episode.peak = moreExtreme(rule.operator, rule.threshold, episode.peak, value);
  }
}

/** Of two breaching values, the one further on the alerting side. */
function moreExtreme(operator: Operator, threshold: number, a: number, b: number): number {
  switch (operator) {
    case 'GT':
    case 'GTE':
      return Math.max(a, b);
    case 'LT':
    case 'LTE':
      return Math.min(a, b);
    case 'EQ':
      return a;
    case 'NEQ':
      return Math.abs(b - threshold) > Math.abs(a - threshold) ? b : a;
  }
}

function summarise(
  request: BacktestRequest,
  replays: readonly DeviceReplay[],
  budget: BacktestBudget,
): BacktestResult {
  const all = replays.flatMap((replay) => replay.episodes);
  all.sort((a, b) =>
    a.startedAt !== b.startedAt
      ? a.startedAt < b.startedAt
        ? -1
        : 1
      : a.deviceId < b.deviceId
        ? -1
        : a.deviceId > b.deviceId
          ? 1
          : 0,
  );
  const episodeCount = replays.reduce((sum, replay) => sum + replay.episodeCount, 0);
  const episodes = all.slice(0, budget.episodes);
  return {
    from: request.from,
    to: request.to,
    episodes,
    episodeCount,
    episodesTruncated: episodes.length < episodeCount,
    readingsReplayed: replays.reduce((sum, replay) => sum + replay.readings, 0),
    devices: replays.map((replay) => ({
      deviceId: replay.deviceId,
      readings: replay.readings,
      episodes: replay.episodeCount,
    })),
    notes: notesOn(request.rule),
  };
}

/** What of the draft the replay does not do as live evaluation would, for the person reading. */
export function notesOn(rule: Rule): string[] {
  const notes = [
    'Replay starts at from with no episode open: readings before it are not read, so a window, a for-N count or an alert open at from starts afresh.',
  ];
  if (!rule.enabled) {
    notes.push(
      'The draft is disabled: live it fires nothing until enabled; the backtest replays it as if it were enabled.',
    );
  }
  if (rule.noDataSeconds !== null) {
    notes.push(
      `NO_DATA episodes start when a gap between two readings (or after the last one, up to to) reaches noDataSeconds (${rule.noDataSeconds} s); live, the scheduled check notices a silence up to a minute later, and the start of the range is not a gap.`,
    );
  }
  if (rule.repeatIntervalSeconds !== null) {
    notes.push(
      'repeatIntervalSeconds is not replayed: a repeat is a notification of an open episode, not an episode.',
    );
  }
  return notes;
}
