/**
 * Which rules watch a device: its own rules, the rules for every device, and the rules whose
 * label selector its labels match, decided by the domain's own `selects` as the worker does.
 */
import type { RuleFieldsFragment } from '../../generated/console-operations.ts';
import { selects } from '../../domain/labels.ts';
import type { LabelPair } from './label-text.ts';
import { labelRecord } from './label-text.ts';

/** Why a rule applies to a device. */
export type RuleScope = 'device' | 'every' | 'selector';

export interface ApplyingRule {
  rule: RuleFieldsFragment;
  scope: RuleScope;
}

/** The rules among `rules` that apply to the device with this id and labels, in their order. */
export function rulesThatApply(
  device: { id: string; labels: readonly LabelPair[] },
  rules: readonly RuleFieldsFragment[],
): ApplyingRule[] {
  const labels = labelRecord(device.labels);
  const applying: ApplyingRule[] = [];
  for (const rule of rules) {
    if (rule.deviceId !== null) {
      if (rule.deviceId === device.id) applying.push({ rule, scope: 'device' });
    } else if (!rule.selector) {
      applying.push({ rule, scope: 'every' });
    } else if (selects(rule.selector, labels)) {
      applying.push({ rule, scope: 'selector' });
    }
  }
  return applying;
}
