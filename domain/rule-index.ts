import type { EpisodeRule } from './episode.ts';
import { type FlapOptions, flapDefaults } from './flapping.ts';
import { type Labels, type LabelSelector, noLabels, selects } from './labels.ts';
import type { NotificationGrouping } from './notification-groups.ts';
import type { Rule } from './rule.ts';

/**
 * What the worker keeps of a rule: what matching and its episodes read, and how its e-mails
 * are grouped; nothing of its description or of who changed it when.
 */
export type IndexedRule = EpisodeRule &
  NotificationGrouping & {
    readonly deviceId: string | null;
    readonly selector: LabelSelector | null;
  };

/** The rule fields an IndexedRule is made from, as a store or a full Rule has them. */
export type IndexedRuleSource = Pick<Rule, keyof EpisodeRule | 'deviceId'> &
  Partial<NotificationGrouping> & {
    selector?: LabelSelector | null;
  };

/** The rules of one metric for every device and by label selector, and how many per device. */
interface MetricRules {
  /** The metric's name, one string shared by all its rules. */
  readonly metric: string;
  /** How many rules of one device the metric has (they are held by device: `#byDevice`). */
  deviceRules: number;
  every: readonly IndexedRule[];
  readonly selected: SelectorRules;
}

/**
 * A device's own rules, of every metric: its one rule itself (nearly always), or its rules by
 * metric. Held by device, not by metric, so that a device's readings of its several metrics,
 * which arrive together, find them in one place of the map, in cache after the first; and a
 * rule held directly spares a reading a list's objects, each a cache miss among 100,000.
 */
type DeviceRules = IndexedRule | Map<string, readonly IndexedRule[]>;

/**
 * A metric's selector rules, filed by the label values they require, so that a reading looks
 * only at the rules filed under its device's own values, not at every selector rule. A rule is
 * filed under the values of all its EQ and IN matchers together (one place per combination of
 * its IN values), keyed by the set of label keys those matchers name; a reading's device
 * builds one combination of its values per key set in use, typically one or two. Rules whose
 * matchers require no value (NEQ, NOT_IN, EXISTS, NOT_EXISTS only) are looked at for every
 * reading.
 */
interface SelectorRules {
  /** The key sets in use, each with the rules filed by their combined values. */
  readonly byKeys: Map<string, KeyFiling>;
  unfiled: readonly IndexedRule[];
  count: number;
}

interface KeyFiling {
  /** Label keys, sorted; a reading's device combines its values of these, in this order. */
  readonly keys: readonly string[];
  readonly byValues: Map<string, readonly FiledRule[]>;
}

/**
 * A rule where it is filed, with the matchers its place does not already answer: a device
 * whose values combine to the place meets the EQ and IN matchers it was filed by, so only
 * the rest (null when none) are checked against its labels.
 */
interface FiledRule {
  readonly rule: IndexedRule;
  readonly rest: LabelSelector | null;
}

/** Separates values in a combination; label values hold no control characters. */
const SEPARATOR = '\u0000';
/** At most this many places per rule: beyond, its largest IN matchers are left to the check. */
const MAX_PLACES = 16;

/**
 * The enabled rules, indexed so a reading finds its candidates in O(matching rules): one
 * lookup for the rules of its device and metric, the metric's rules for every device, and
 * its selector rules, each checked against the device's labels.
 *
 * Changed in place, one rule at a time (`upsert`, `remove`), so a change costs the rules of
 * its metric and scope, not a rebuild. Lists are replaced, never changed, so a list handed
 * out by `matching` stays as it was.
 */
export class RuleIndex {
  readonly #byId = new Map<string, IndexedRule>();
  /** metric → its rules for every device and by selector. */
  readonly #byMetric = new Map<string, MetricRules>();
  /** device → its own rules (DeviceRules). */
  readonly #byDevice = new Map<string, DeviceRules>();
  /** The options rules share (SharedOptions). */
  readonly #options = new SharedOptions();
  /** Bumped by every change: a selection made before it is made again. */
  #version = 0;
  /**
   * The selector rules a device's labels select, by metric, kept with the labels object: the
   * worker holds one per device (DeviceCache), replaced when the device's labels change, so
   * a device's readings after its first reading of a metric select again only after a rule
   * change. Gone with the labels object.
   */
  readonly #selections = new WeakMap<Labels, Selection>();

  constructor(rules: Iterable<IndexedRuleSource & { enabled: boolean }> = []) {
    for (const rule of rules) if (rule.enabled) this.upsert(rule);
  }

  /** How many rules are indexed (all enabled). */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * Adds a rule, or replaces the indexed rule with its id. Only enabled rules belong here:
   * the caller removes a rule that is disabled.
   */
  upsert(source: IndexedRuleSource): void {
    this.remove(source.id);
    this.#version += 1;
    let bucket = this.#byMetric.get(source.metric);
    if (!bucket) {
      bucket = {
        metric: source.metric,
        deviceRules: 0,
        every: [],
        selected: { byKeys: new Map(), unfiled: [], count: 0 },
      };
      this.#byMetric.set(source.metric, bucket);
    }
    const rule = new CompactRule(source, bucket.metric, this.#options);
    this.#byId.set(rule.id, rule);
    if (rule.deviceId !== null) {
      this.#addOwn(rule.deviceId, rule);
      bucket.deviceRules += 1;
    } else if (rule.selector !== null) {
      file(bucket.selected, rule, 'add');
    } else {
      bucket.every = [...bucket.every, rule];
    }
  }

  /** Removes the rule with this id; false when none was indexed. */
  remove(id: string): boolean {
    const rule = this.#byId.get(id);
    if (!rule) return false;
    this.#version += 1;
    this.#byId.delete(id);
    if (rule instanceof CompactRule) this.#options.release(rule.options);
    const bucket = this.#byMetric.get(rule.metric);
    if (!bucket) return true;
    const without = (list: readonly IndexedRule[]) => list.filter((other) => other !== rule);
    if (rule.deviceId !== null) {
      this.#removeOwn(rule.deviceId, rule);
      bucket.deviceRules -= 1;
    } else if (rule.selector !== null) {
      file(bucket.selected, rule, 'remove');
    } else {
      bucket.every = without(bucket.every);
    }
    if (bucket.deviceRules === 0 && bucket.every.length === 0 && bucket.selected.count === 0) {
      this.#byMetric.delete(rule.metric);
    }
    return true;
  }

  /**
   * The enabled rules that apply to a reading of this device and metric: the device's own,
   * those for every device, and the selector rules its labels satisfy (a device of unknown
   * labels has none).
   */
  matching(deviceId: string, metric: string, labels: Labels = noLabels): readonly IndexedRule[] {
    const bucket = this.#byMetric.get(metric);
    if (!bucket) return [];
    const own = bucket.deviceRules > 0 ? this.#own(deviceId, metric) : undefined;
    const chosen = bucket.selected.count > 0 ? this.#selected(bucket, labels) : NONE;
    return joined(own, bucket.every, chosen);
  }

  /** The metric's selector rules these labels select, as kept for them if still current. */
  #selected(bucket: MetricRules, labels: Labels): readonly IndexedRule[] {
    let selection = this.#selections.get(labels);
    if (selection?.version !== this.#version) {
      selection = { version: this.#version, byMetric: new Map() };
      this.#selections.set(labels, selection);
    }
    let chosen = selection.byMetric.get(bucket.metric);
    if (chosen === undefined) {
      chosen = select(bucket.selected, labels);
      selection.byMetric.set(bucket.metric, chosen);
    }
    return chosen;
  }

  /** A device's own rules of a metric, if it has any. */
  #own(deviceId: string, metric: string): readonly IndexedRule[] | undefined {
    const own = this.#byDevice.get(deviceId);
    if (own === undefined) return undefined;
    if (own instanceof CompactRule) return own.metric === metric ? [own] : undefined;
    return (own as Map<string, readonly IndexedRule[]>).get(metric);
  }

  #addOwn(deviceId: string, rule: IndexedRule): void {
    const own = this.#byDevice.get(deviceId);
    if (own === undefined) {
      this.#byDevice.set(deviceId, rule);
      return;
    }
    const byMetric =
      own instanceof CompactRule
        ? new Map<string, readonly IndexedRule[]>([[own.metric, [own]]])
        : (own as Map<string, readonly IndexedRule[]>);
    byMetric.set(rule.metric, [...(byMetric.get(rule.metric) ?? []), rule]);
    this.#byDevice.set(deviceId, byMetric);
  }

  #removeOwn(deviceId: string, rule: IndexedRule): void {
    const own = this.#byDevice.get(deviceId);
    if (own === rule) {
      this.#byDevice.delete(deviceId);
      return;
    }
    if (own === undefined || own instanceof CompactRule) return;
    const byMetric = own as Map<string, readonly IndexedRule[]>;
    const list = (byMetric.get(rule.metric) ?? []).filter((other) => other !== rule);
    if (list.length > 0) byMetric.set(rule.metric, list);
    else byMetric.delete(rule.metric);
    // Down to one rule: held directly again.
    const [first] = byMetric.values();
    if (byMetric.size === 1 && first?.length === 1) {
      this.#byDevice.set(deviceId, first[0] as IndexedRule);
    } else if (byMetric.size === 0) this.#byDevice.delete(deviceId);
  }

  /** The rule with this id, if it is indexed. */
  get(id: string): IndexedRule | undefined {
    return this.#byId.get(id);
  }

  /** The rules the scheduled check moves: those with a no-data time or repeats. */
  timed(): IndexedRule[] {
    const timed: IndexedRule[] = [];
    for (const rule of this.#byId.values()) {
      if (rule.noDataSeconds !== null || rule.repeatIntervalSeconds !== null) timed.push(rule);
    }
    return timed;
  }
}

/** What a labels object selected, by metric, at a version of the index. */
interface Selection {
  readonly version: number;
  readonly byMetric: Map<string, readonly IndexedRule[]>;
}

const NONE: readonly IndexedRule[] = Object.freeze([]);

/** The three lists as one: the one list itself when the others are empty, as is usual. */
function joined(
  own: readonly IndexedRule[] | undefined,
  every: readonly IndexedRule[],
  chosen: readonly IndexedRule[],
): readonly IndexedRule[] {
  if (own === undefined) {
    if (chosen.length === 0) return every;
    return every.length === 0 ? chosen : [...every, ...chosen];
  }
  return every.length === 0 && chosen.length === 0 ? own : [...own, ...every, ...chosen];
}

/** The selector rules of a metric that these labels satisfy (NONE when none). */
function select(selected: SelectorRules, labels: Labels): readonly IndexedRule[] {
  let chosen: IndexedRule[] | null = null;
  for (const filing of selected.byKeys.values()) {
    // A device without one of the keys has no place (a place may be '': empty values).
    const values = combined(filing.keys, labels);
    const filed = values === null ? undefined : filing.byValues.get(values);
    if (!filed) continue;
    for (const { rule, rest } of filed) {
      if (!rest || selects(rest, labels)) (chosen ??= []).push(rule);
    }
  }
  for (const rule of selected.unfiled) {
    if (selects(rule.selector as LabelSelector, labels)) (chosen ??= []).push(rule);
  }
  return chosen ?? NONE;
}

/**
 * Files a selector rule under each of its places, or takes it out of them; emptied places
 * are dropped.
 */
function file(selected: SelectorRules, rule: IndexedRule, change: 'add' | 'remove'): void {
  const filing = filingOf(rule.selector as LabelSelector);
  if (filing === null) {
    const before = selected.unfiled.length;
    selected.unfiled =
      change === 'add'
        ? [...selected.unfiled, rule]
        : selected.unfiled.filter((other) => other !== rule);
    selected.count += selected.unfiled.length - before;
    return;
  }
  const name = filing.keys.join(SEPARATOR);
  const byValues = selected.byKeys.get(name)?.byValues ?? new Map<string, readonly FiledRule[]>();
  const entry: FiledRule = { rule, rest: filing.rest };
  let delta = 0;
  for (const place of filing.places) {
    const list = byValues.get(place) ?? [];
    const next = change === 'add' ? [...list, entry] : list.filter((other) => other.rule !== rule);
    if (next.length > 0) byValues.set(place, next);
    else byValues.delete(place);
    delta = next.length - list.length;
  }
  if (byValues.size > 0) selected.byKeys.set(name, { keys: filing.keys, byValues });
  else selected.byKeys.delete(name);
  selected.count += delta;
}

/**
 * Where a selector is filed: the keys of its EQ and IN matchers, sorted, and every
 * combination of the values they allow, and the matchers left to check (null when none);
 * null when it has no such matcher. IN matchers with the most values are dropped from the
 * filing (and left to the check) while the combinations would exceed MAX_PLACES.
 */
function filingOf(
  selector: LabelSelector,
): { keys: string[]; places: string[]; rest: LabelSelector | null } | null {
  const required = selector
    .filter((matcher) => matcher.operator === 'EQ' || matcher.operator === 'IN')
    .map((matcher) => ({ matcher, key: matcher.key, values: [...new Set(matcher.values)] }))
    .sort((a, b) => a.values.length - b.values.length);
  const product = () => required.reduce((total, matcher) => total * matcher.values.length, 1);
  while (required.length > 1 && product() > MAX_PLACES) required.pop();
  if (required.length === 0 || product() > MAX_PLACES) return null;
  required.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let places = [''];
  required.forEach((matcher, index) => {
    const prefix = index === 0 ? '' : SEPARATOR;
    places = places.flatMap((place) => matcher.values.map((value) => place + prefix + value));
  });
  const rest = selector.filter((matcher) => !required.some((used) => used.matcher === matcher));
  return {
    keys: required.map((matcher) => matcher.key),
    places,
    rest: rest.length > 0 ? rest : null,
  };
}

/** A device's values of these keys combined as filingOf combines them; null if one is missing. */
function combined(keys: readonly string[], labels: Labels): string | null {
  let result = '';
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index] as string;
    // Own properties only: a key such as `constructor` must not find Object's.
    if (!Object.hasOwn(labels, key)) return null;
    result = index === 0 ? (labels[key] as string) : result + SEPARATOR + labels[key];
  }
  return result;
}

/** One copy of each operator, severity and aggregation name, whatever string it came in. */
const shared = new Map<string, string>(
  ['GT', 'GTE', 'LT', 'LTE', 'EQ', 'NEQ', 'INFO', 'WARNING', 'CRITICAL']
    .concat(['AVG', 'MIN', 'MAX', 'COUNT', 'SUM'])
    .map((name) => [name, name]),
);
const canonical = <T extends string | null>(value: T): T =>
  value === null ? value : ((shared.get(value) ?? value) as T);

/** The evaluation options most rules leave at their defaults, kept apart to be shared. */
type Options = Pick<
  IndexedRule,
  | 'forReadings'
  | 'windowSeconds'
  | 'aggregation'
  | 'clearThreshold'
  | 'noDataSeconds'
  | 'repeatIntervalSeconds'
  | 'groupBy'
  | 'groupWaitSeconds'
  | 'groupIntervalSeconds'
  | 'latch'
>;
const DEFAULT_OPTIONS: Options = Object.freeze({
  forReadings: 1,
  windowSeconds: null,
  aggregation: null,
  clearThreshold: null,
  noDataSeconds: null,
  repeatIntervalSeconds: null,
  groupBy: null,
  groupWaitSeconds: null,
  groupIntervalSeconds: null,
  latch: false,
});

/** The options kept of a rule, the flapping ones nested: one reference, nearly always shared. */
type KeptOptions = Options & {
  readonly selector: LabelSelector | null;
  readonly flap: Readonly<FlapOptions>;
};

/**
 * A rule as the index keeps it: one object shape for every rule, eight fields, the metric's
 * name and the enum names shared, and the evaluation options in one object shared by every
 * rule that leaves them at their defaults (the getters read them there); within it, the
 * flapping options are one more object, shared by every rule that leaves those at theirs.
 */
class CompactRule implements IndexedRule {
  readonly id: string;
  readonly deviceId: string | null;
  readonly metric: string;
  readonly operator: IndexedRule['operator'];
  readonly threshold: number;
  readonly severity: IndexedRule['severity'];
  readonly name: string | null;
  readonly #options: KeptOptions;

  constructor(source: IndexedRuleSource, metric: string, shared: SharedOptions) {
    this.id = source.id;
    this.deviceId = source.deviceId;
    this.metric = metric;
    this.operator = canonical(source.operator);
    this.threshold = source.threshold;
    this.severity = canonical(source.severity);
    this.name = source.name;
    const selector = source.selector && source.selector.length > 0 ? source.selector : null;
    const options = {
      forReadings: source.forReadings,
      windowSeconds: source.windowSeconds,
      aggregation: canonical(source.aggregation),
      clearThreshold: source.clearThreshold,
      noDataSeconds: source.noDataSeconds,
      repeatIntervalSeconds: source.repeatIntervalSeconds,
      groupBy: source.groupBy && source.groupBy.length > 0 ? source.groupBy : null,
      groupWaitSeconds: source.groupWaitSeconds ?? null,
      groupIntervalSeconds: source.groupIntervalSeconds ?? null,
      latch: source.latch,
    };
    const isDefault = (Object.keys(options) as (keyof Options)[]).every(
      (key) => options[key] === DEFAULT_OPTIONS[key],
    );
    const flapIsDefault =
      source.flapDetection === flapDefaults.flapDetection &&
      source.flapHighPercent === flapDefaults.flapHighPercent &&
      source.flapLowPercent === flapDefaults.flapLowPercent;
    const flap = flapIsDefault
      ? flapDefaults
      : Object.freeze({
          flapDetection: source.flapDetection,
          flapHighPercent: source.flapHighPercent,
          flapLowPercent: source.flapLowPercent,
        });
    this.#options =
      isDefault && flapIsDefault && selector === null
        ? DEFAULT_SHARED
        : selector === null
          ? shared.hold({ ...options, selector, flap })
          : Object.freeze({ ...options, selector, flap });
  }

  /** The options object this rule holds (the index releases it when the rule goes). */
  get options(): KeptOptions {
    return this.#options;
  }

  get selector(): LabelSelector | null {
    return this.#options.selector;
  }
  get forReadings(): number {
    return this.#options.forReadings;
  }
  get windowSeconds(): number | null {
    return this.#options.windowSeconds;
  }
  get aggregation(): IndexedRule['aggregation'] {
    return this.#options.aggregation;
  }
  get clearThreshold(): number | null {
    return this.#options.clearThreshold;
  }
  get noDataSeconds(): number | null {
    return this.#options.noDataSeconds;
  }
  get repeatIntervalSeconds(): number | null {
    return this.#options.repeatIntervalSeconds;
  }
  get groupBy(): readonly string[] | null {
    return this.#options.groupBy;
  }
  get groupWaitSeconds(): number | null {
    return this.#options.groupWaitSeconds;
  }
  get groupIntervalSeconds(): number | null {
    return this.#options.groupIntervalSeconds;
  }
  get latch(): boolean {
    return this.#options.latch;
  }
  get flapDetection(): boolean {
    return this.#options.flap.flapDetection;
  }
  get flapHighPercent(): number {
    return this.#options.flap.flapHighPercent;
  }
  get flapLowPercent(): number {
    return this.#options.flap.flapLowPercent;
  }

  /** The fields as a plain object (a test's `toEqual`, a log line). */
  toJSON(): IndexedRule {
    const { selector, flap, ...options } = this.#options;
    const { id, deviceId, metric, operator, threshold, severity, name } = this;
    return {
      id,
      deviceId,
      selector,
      metric,
      operator,
      threshold,
      severity,
      name,
      ...options,
      ...flap,
    };
  }
}

const DEFAULT_SHARED: KeptOptions = Object.freeze({
  ...DEFAULT_OPTIONS,
  selector: null,
  flap: flapDefaults,
});

/**
 * The options of an index's rules, one object for every set of equal options: rules made from
 * one template or one import (a `forReadings` of 3, a window, a no-data time) keep one
 * object between them, not one each, and a reading of any of them finds it in cache.
 * Counted, so the set of a rule set's last rule goes with it. Selector rules keep their own
 * (their selector is nearly always theirs alone), and rules at the defaults keep
 * DEFAULT_SHARED, neither of them counted here.
 */
class SharedOptions {
  readonly #byKey = new Map<string, { options: KeptOptions; rules: number }>();

  /** The shared object equal to `options`, made from it for the first rule to hold it. */
  hold(options: KeptOptions): KeptOptions {
    const key = keyOf(options);
    const entry = this.#byKey.get(key);
    if (entry) {
      entry.rules += 1;
      return entry.options;
    }
    const kept = Object.freeze(options);
    this.#byKey.set(key, { options: kept, rules: 1 });
    return kept;
  }

  /** A rule holding `options` left the index. */
  release(options: KeptOptions): void {
    if (options === DEFAULT_SHARED || options.selector !== null) return;
    const key = keyOf(options);
    const entry = this.#byKey.get(key);
    if (entry?.options !== options) return;
    entry.rules -= 1;
    if (entry.rules === 0) this.#byKey.delete(key);
  }
}

/** A key equal for equal options: their values in a fixed order (groupBy's keys joined). */
function keyOf(options: KeptOptions): string {
  const { flap, groupBy } = options;
  return [
    options.forReadings,
    options.windowSeconds,
    options.aggregation,
    options.clearThreshold,
    options.noDataSeconds,
    options.repeatIntervalSeconds,
    groupBy === null ? null : JSON.stringify(groupBy),
    options.groupWaitSeconds,
    options.groupIntervalSeconds,
    options.latch,
    flap.flapDetection,
    flap.flapHighPercent,
    flap.flapLowPercent,
  ].join('|');
}
