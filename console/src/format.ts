/** How times and conditions read on the page. */
import type { Operator, RuleFieldsFragment } from '../../generated/console-operations.ts';
import { operatorSymbols } from '../../domain/rule.ts';

export function condition(operator: Operator, threshold: number): string {
  return `${operatorSymbols[operator]} ${threshold}`;
}

/** A rule as a list or a choice names it: its name, or its metric and condition. */
export function ruleTitle(
  rule: Pick<RuleFieldsFragment, 'name' | 'metric' | 'operator' | 'threshold'>,
): string {
  return rule.name ?? `${rule.metric} ${condition(rule.operator, rule.threshold)}`;
}

/** Where an imported rule came from, as its list item says it: `from IoT Events: Boiler v3`. */
export function ruleSourceText(source: NonNullable<RuleFieldsFragment['source']>): string {
  const origin = { IOT_EVENTS: 'IoT Events' }[source.kind];
  return `from ${origin}: ${source.name}${source.version === null ? '' : ` v${source.version}`}`;
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** "3 min ago"-style age of a time, for scanning a feed. */
export function age(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

export function deviceHref(deviceId: string): string {
  return `#/devices/${encodeURIComponent(deviceId)}`;
}
