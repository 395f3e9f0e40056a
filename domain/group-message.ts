import { type Alert, describeAlert, toSnsSubject } from './alert.ts';
import type { NotificationKind } from './episode.ts';
import type { GroupEntry, GroupHead, GroupMessage } from './notification-groups.ts';
import { operatorSymbols, severities } from './rule.ts';

/*
 * The e-mail of a notification group: what an on-call person reads to act on a storm
 * without opening another tool. One alert alone reads as its own e-mail (describeAlert);
 * several are counted and listed, one line each, under what happened to them.
 */

/**
 * Bytes of one message's body: SNS takes 256 KiB per message, attributes and subject
 * included, and the `labels` attribute may take up to ~70 KB (100 long `key=value`s).
 */
export const MAX_BODY_BYTES = 160_000;
/** What a message's lines before and after the list may take: the rule's name, the group's labels. */
const HEADER_BYTES = 12_000;
/** `key=value` values of the `labels` message attribute. */
export const MAX_LABEL_VALUES = 100;
/** Characters of an alert's labels on its line. */
const MAX_LINE_LABELS = 200;
const encoder = new TextEncoder();

/** What a notification says happened, in the words of the e-mail. */
export const kindWords: Record<NotificationKind, string> = {
  FIRING: 'fired',
  RESOLVED: 'resolved',
  REPEAT: 'still firing',
  ACKNOWLEDGED: 'acknowledged',
  LATCHED: 'latched (condition cleared, not yet acknowledged)',
  FLAPPING: 'flapping started',
  FLAPPING_STOPPED: 'flapping stopped',
  UNSILENCED: 'silence ended',
};

/** The subject's prefix of one alert's e-mail, for the kinds a plain alert e-mail does not say. */
const kindPrefix: Partial<Record<NotificationKind, string>> = {
  REPEAT: 'Still firing: ',
  FLAPPING: 'Flapping: ',
  FLAPPING_STOPPED: 'Flapping stopped: ',
  UNSILENCED: 'Silence ended: ',
};

/** One alert of a message: its latest state and what happened to it, in order. */
interface ListedAlert {
  alert: Alert;
  kinds: NotificationKind[];
  entryIds: string[];
}

/**
 * The messages that send `entries`, each with the entries it lists. An alert's entries
 * (it fired, then resolved, while the group waited) make one line, in one message. The
 * list is split into parts only when it outgrows MAX_BODY_BYTES. None when nothing waits.
 */
export function describeGroup(
  head: Pick<GroupHead, 'ruleId' | 'labels'>,
  entries: readonly GroupEntry[],
): { message: GroupMessage; entryIds: string[] }[] {
  const listed = listAlerts(entries);
  if (listed.length === 0) return [];
  const parts: ListedAlert[][] = [];
  let part: ListedAlert[] = [];
  let bytes = 0;
  for (const item of listed) {
    const size = encoder.encode(alertLine(item)).length + 1;
    if (part.length > 0 && bytes + size > MAX_BODY_BYTES - HEADER_BYTES) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(item);
    bytes += size;
  }
  parts.push(part);
  return parts.map((items, index) => ({
    message: message(head, items, parts.length > 1 ? { index, of: parts.length } : null),
    entryIds: items.flatMap((item) => item.entryIds),
  }));
}

/** The entries by alert, in the order they were added; each alert as its latest entry has it. */
function listAlerts(entries: readonly GroupEntry[]): ListedAlert[] {
  const byAlert = new Map<string, ListedAlert>();
  const ordered = [...entries].sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1));
  for (const entry of ordered) {
    const item = byAlert.get(entry.alert.id);
    if (!item) {
      byAlert.set(entry.alert.id, {
        alert: entry.alert,
        kinds: [entry.kind],
        entryIds: [entry.id],
      });
      continue;
    }
    item.alert = entry.alert;
    if (item.kinds.at(-1) !== entry.kind) item.kinds.push(entry.kind);
    item.entryIds.push(entry.id);
  }
  return [...byAlert.values()];
}

function message(
  head: Pick<GroupHead, 'ruleId' | 'labels'>,
  items: readonly ListedAlert[],
  part: { index: number; of: number } | null,
): GroupMessage {
  const alerts = items.map((item) => item.alert);
  const devices = new Set(alerts.map((alert) => alert.deviceId));
  const kinds = [...new Set(items.flatMap((item) => item.kinds))];
  const labels = [
    ...new Set(alerts.flatMap((alert) => (alert.labels ?? []).map((l) => `${l.key}=${l.value}`))),
  ]
    .sort()
    .slice(0, MAX_LABEL_VALUES);
  const text =
    items.length === 1 && part === null
      ? oneAlert(items[0] as ListedAlert)
      : severalAlerts(head, items, devices.size, part);
  return {
    subject: toSnsSubject(text.subject),
    body: text.body,
    ruleId: head.ruleId,
    severity: worst(alerts.map((alert) => alert.severity)),
    kinds,
    labels,
    deviceId: devices.size === 1 ? (alerts[0] as Alert).deviceId : null,
  };
}

/** One alert's e-mail: as describeAlert has it, saying first what happened when that is news. */
function oneAlert({ alert, kinds }: ListedAlert): { subject: string; body: string } {
  const { subject, body } = describeAlert(alert);
  const last = kinds.at(-1) as NotificationKind;
  const plain = kinds.length === 1 && (last === 'FIRING' || last === 'RESOLVED');
  if (plain) return { subject, body };
  return {
    subject: `${kindPrefix[last] ?? ''}${subject}`,
    body: `${capitalise(kinds.map((kind) => kindWords[kind]).join(', then '))}.\n\n${body}`,
  };
}

function severalAlerts(
  head: Pick<GroupHead, 'ruleId' | 'labels'>,
  items: readonly ListedAlert[],
  deviceCount: number,
  part: { index: number; of: number } | null,
): { subject: string; body: string } {
  const latest = (items.at(-1) as ListedAlert).alert;
  const condition = `${latest.metric} ${operatorSymbols[latest.operator]} ${latest.threshold}`;
  const title = latest.ruleName ?? condition;
  const sections = new Map<string, ListedAlert[]>();
  for (const item of items) {
    const what = capitalise(item.kinds.map((kind) => kindWords[kind]).join(', then '));
    const list = sections.get(what);
    if (list) list.push(item);
    else sections.set(what, [item]);
  }
  const counts = [...sections].map(([what, list]) => `${list.length} ${what.toLowerCase()}`);
  const firing = items.filter((item) => item.alert.status !== 'RESOLVED');
  const state = firing.length === 0 ? 'RESOLVED' : worst(firing.map((item) => item.alert.severity));
  const group = head.labels.map(({ key, value }) => `${key}=${value}`).join(', ');
  const partText = part ? ` (part ${part.index + 1} of ${part.of})` : '';
  const subject = `[${state}] ${title}: ${items.length} alerts${deviceCount === 1 ? ` on ${latest.deviceId}` : ''}, ${counts.join(', ')}${group ? ` (${group})` : ''}${partText}`;
  const lines = [
    `${title}: ${items.length} alerts on ${deviceCount} ${deviceCount === 1 ? 'device' : 'devices'} (${counts.join(', ')})`,
    ...(part
      ? [`Part ${part.index + 1} of ${part.of}: the group's list was too long for one e-mail.`]
      : []),
    '',
    `Rule:       ${latest.ruleName ? `${latest.ruleName} (${head.ruleId})` : head.ruleId}`,
    `Condition:  ${condition}`,
    ...(group ? [`Group:      ${group}`] : []),
    `Severity:   ${state === 'RESOLVED' ? `all resolved (${latest.severity})` : state}`,
    '',
    ...[...sections].flatMap(([what, list]) => [
      `${what} (${list.length}):`,
      ...[...list].sort(byDevice).map(alertLine),
      '',
    ]),
    'Each line: device, value, severity, when it fired (and resolved), labels, alert id.',
  ];
  return { subject, body: lines.join('\n') };
}

/** One alert's line in a group's list. */
function alertLine({ alert }: ListedAlert): string {
  const value =
    alert.reason === 'NO_DATA'
      ? `no data since ${alert.eventTimestamp ?? 'unknown'}`
      : `value ${alert.value}`;
  const times = `fired ${alert.firedAt}${alert.resolvedAt ? `, resolved ${alert.resolvedAt}` : ''}`;
  const labelText = (alert.labels ?? []).map(({ key, value: v }) => `${key}=${v}`).join(', ');
  const labels =
    labelText.length > MAX_LINE_LABELS
      ? `${labelText.slice(0, MAX_LINE_LABELS - 3)}...`
      : labelText;
  const why = alert.resolution ? ` (${alert.resolution})` : '';
  return `  ${alert.deviceId}  ${value}  ${alert.severity}  ${times}${why}${labels ? `  [${labels}]` : ''}  alert ${alert.id}`;
}

function byDevice(a: ListedAlert, b: ListedAlert): number {
  return a.alert.deviceId < b.alert.deviceId ? -1 : a.alert.deviceId > b.alert.deviceId ? 1 : 0;
}

/** The most severe of these severities. */
function worst(list: readonly Alert['severity'][]): Alert['severity'] {
  let index = 0;
  for (const severity of list) index = Math.max(index, severities.indexOf(severity));
  return severities[index] as Alert['severity'];
}

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
