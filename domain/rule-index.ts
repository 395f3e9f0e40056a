import type { Rule } from './rule.ts';

/**
 * The enabled rules, indexed so a reading finds its candidates in O(matching rules):
 * one map lookup for rules of its device and metric, one for rules of every device.
 */
export class RuleIndex {
  readonly size: number;
  /** metric → device → rules: two lookups, no key to build per reading. */
  readonly #byMetricDevice = new Map<string, Map<string, Rule[]>>();
  readonly #byMetric = new Map<string, Rule[]>();

  constructor(rules: Iterable<Rule>) {
    let size = 0;
    for (const rule of rules) {
      if (!rule.enabled) continue;
      size++;
      if (rule.deviceId === null) {
        push(this.#byMetric, rule.metric, rule);
        continue;
      }
      let byDevice = this.#byMetricDevice.get(rule.metric);
      if (!byDevice) {
        byDevice = new Map();
        this.#byMetricDevice.set(rule.metric, byDevice);
      }
      push(byDevice, rule.deviceId, rule);
    }
    this.size = size;
  }

  /** The enabled rules that apply to a reading of this device and metric. */
  matching(deviceId: string, metric: string): readonly Rule[] {
    const forDevice = this.#byMetricDevice.get(metric)?.get(deviceId);
    const forEvery = this.#byMetric.get(metric);
    if (!forDevice) return forEvery ?? [];
    if (!forEvery) return forDevice;
    return [...forDevice, ...forEvery];
  }
}

function push(map: Map<string, Rule[]>, key: string, rule: Rule): void {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}
