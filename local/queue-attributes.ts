/**
 * How a queue kept from an earlier start differs from the attributes this start gives it, so
 * the local stack can update it in place, as CloudFormation updates a deployed queue, and say
 * what it changed.
 */

/** Attributes SetQueueAttributes changes on an existing queue, its messages kept. */
const CHANGEABLE = new Set([
  'VisibilityTimeout',
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** Attributes fixed when a queue is made: another value needs another queue. */
const FIXED = new Set(['FifoQueue']);

/** Attributes whose value is a JSON document, compared as documents rather than as text. */
const DOCUMENTS = new Set(['RedrivePolicy', 'RedriveAllowPolicy', 'Policy']);

/** One difference, as the line that reports it names it. */
export interface QueueAttributeChange {
  /** The attribute; for a field of the redrive policy, `RedrivePolicy <field>`. */
  name: string;
  /** The kept queue's value; undefined when it has none. */
  from: string | undefined;
  /** The wanted value; undefined for a field of the redrive policy the wanted one leaves out. */
  to: string | undefined;
}

export interface QueueAttributeDiff {
  /** What SetQueueAttributes is sent: each attribute that differs, whole, as wanted. */
  set: Record<string, string>;
  /** The differences that `set` makes. */
  changes: QueueAttributeChange[];
  /** Differences no SetQueueAttributes can make: the queue would have to be made again. */
  fixed: QueueAttributeChange[];
}

/**
 * Compares a kept queue's attributes (GetQueueAttributes) with the ones wanted (as given to
 * CreateQueue). Only the wanted attributes count: the kept queue's others (its ARN, counts,
 * defaults nobody set) are left as they are. Numbers compare as numbers and JSON documents as
 * documents (`"maxReceiveCount": "5"` is 5), so text that only looks different changes
 * nothing. Throws on an attribute SQS does not have, which would be a mistake in the caller.
 */
export function diffQueueAttributes(
  kept: Readonly<Record<string, string>>,
  wanted: Readonly<Record<string, string>>,
): QueueAttributeDiff {
  const diff: QueueAttributeDiff = { set: {}, changes: [], fixed: [] };
  for (const [name, to] of Object.entries(wanted)) {
    if (!CHANGEABLE.has(name) && !FIXED.has(name)) {
      throw new Error(`Unknown queue attribute ${name}`);
    }
    const from = Object.hasOwn(kept, name) ? kept[name] : undefined;
    if (from !== undefined && sameValue(name, from, to)) continue;
    if (FIXED.has(name)) {
      diff.fixed.push({ name, from, to });
      continue;
    }
    diff.set[name] = to;
    const fields = name === 'RedrivePolicy' ? fieldChanges(name, from, to) : [];
    diff.changes.push(...(fields.length > 0 ? fields : [{ name, from, to }]));
  }
  return diff;
}

function sameValue(name: string, from: string, to: string): boolean {
  if (DOCUMENTS.has(name)) {
    const [a, b] = [document(name, from), document(name, to)];
    return a !== undefined && b !== undefined ? canonical(a) === canonical(b) : from === to;
  }
  const number = /^-?\d+$/;
  return number.test(from) && number.test(to) ? Number(from) === Number(to) : from === to;
}

/**
 * The redrive policy's fields that differ, one change each (`RedrivePolicy maxReceiveCount`),
 * or none when either side is not a policy document: the caller then reports it whole.
 */
function fieldChanges(name: string, from: string | undefined, to: string): QueueAttributeChange[] {
  const [a, b] = [from === undefined ? undefined : document(name, from), document(name, to)];
  if (!isObject(a) || !isObject(b)) return [];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((field) => canonical(a[field]) !== canonical(b[field]))
    .map((field) => ({
      name: `${name} ${field}`,
      from: a[field] === undefined ? undefined : String(a[field]),
      to: b[field] === undefined ? undefined : String(b[field]),
    }));
}

/** A JSON-valued attribute parsed, its counts as numbers; undefined when it is not JSON. */
function document(name: string, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (name === 'RedrivePolicy' && isObject(value) && value.maxReceiveCount !== undefined) {
    return { ...value, maxReceiveCount: Number(value.maxReceiveCount) };
  }
  return value;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON with every object's keys in order, so equal documents give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
