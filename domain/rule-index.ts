import type { Rule } from './rule.ts';

/**
 * The enabled rules, indexed so a reading finds its candidates in O(matching rules):
 * one map lookup for rules of its device and metric, one for rules of every device.
 */
export class RuleIndex {
  readonly size: number;
  readonly #byDeviceMetric = new Map<string, Rule[]>();
  readonly #byMetric = new Map<string, Rule[]>();

  constructor(rules: Iterable<Rule>) {
    let size = 0;
    for (const rule of rules) {
      if (!rule.enabled) continue;
      size++;
      if (rule.deviceId === null) push(this.#byMetric, rule.metric, rule);
      else push(this.#byDeviceMetric, deviceMetricKey(rule.deviceId, rule.metric), rule);
    }
    this.size = size;
  }

  /** The enabled rules that apply to a reading of this device and metric. */
  matching(deviceId: string, metric: string): readonly Rule[] {
    const forDevice = this.#byDeviceMetric.get(deviceMetricKey(deviceId, metric));
    const forEvery = this.#byMetric.get(metric);
    if (!forDevice) return forEvery ?? [];
    if (!forEvery) return forDevice;
    return [...forDevice, ...forEvery];
  }
}

function deviceMetricKey(deviceId: string, metric: string): string {
  // Ids and metrics cannot contain '#' (see validation.ts), so the key is unambiguous.
  return `${deviceId}#${metric}`;
}

function push(map: Map<string, Rule[]>, key: string, rule: Rule): void {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}
