import type { Alert } from './alert.ts';
import type { PageRequest } from './pagination.ts';
import type { Reading } from './reading.ts';
import type { Rule } from './rule.ts';

/** One page of a newest-first listing; `nextToken` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextToken: string | null;
}

/** Time bounds of a listing, inclusive, as AWSDateTime strings. */
export interface TimeRange {
  from: string | null;
  to: string | null;
}

/** Hands accepted readings to the evaluation worker. Resolves only once they are durable. */
export interface ReadingQueue {
  /** Returns the indexes (into `readings`) that could not be enqueued, with the reason. */
  enqueue(readings: readonly Reading[]): Promise<Map<number, string>>;
}

export interface ReadingStore {
  /** Stores a reading; storing the same device and id again leaves one copy. */
  save(reading: Reading): Promise<void>;
  list(
    query: { deviceId: string; metric: string | null } & TimeRange,
    page: PageRequest,
  ): Promise<Page<Reading>>;
}

export interface RuleStore {
  create(rule: Rule): Promise<void>;
  get(id: string): Promise<Rule | null>;
  /** Replaces a rule that exists; false when it does not (deleted meanwhile). */
  replace(rule: Rule): Promise<boolean>;
  /** False when there was no such rule. */
  delete(id: string): Promise<boolean>;
  list(query: { deviceId: string | null }, page: PageRequest): Promise<Page<Rule>>;
  /** Every rule, for the worker's index. */
  all(): Promise<Rule[]>;
}

/** How far an alert's delivery has got, so a redelivered reading resumes instead of repeating. */
export interface AlertDelivery {
  alert: Alert;
  notified: boolean;
  pushed: boolean;
}

export interface AlertStore {
  /** Records an alert once; a second call with the same id returns the first record. */
  record(alert: Alert): Promise<AlertDelivery>;
  markNotified(id: string): Promise<void>;
  markPushed(id: string): Promise<void>;
  list(
    query: { deviceId: string | null; ruleId: string | null } & TimeRange,
    page: PageRequest,
  ): Promise<Page<Alert>>;
}

/** Tells people: the e-mail (SNS) channel. */
export interface AlertNotifier {
  notify(alert: Alert): Promise<void>;
}

/** Tells programs: the `onAlert` subscription channel (AppSync `publishAlert`). */
export interface AlertPublisher {
  publish(alert: Alert): Promise<void>;
}
