import { randomUUID } from 'node:crypto';
import type {
  MutationAcknowledgeAlertArgs,
  MutationResetAlertArgs,
  MutationSnoozeAlertArgs,
  QueryActiveAlertsArgs,
  QueryAlertsArgs,
  QueryEventsArgs,
} from '../generated/graphql.ts';
import { type Alert, alertStatuses } from '../domain/alert.ts';
import { requireOpen, requireSnoozeSeconds, snoozeSilence } from '../domain/alert-actions.ts';
import { acknowledged, afterReset } from '../domain/episode.ts';
import { NotFoundError } from '../domain/errors.ts';
import { pageRequest } from '../domain/pagination.ts';
import { timeRange } from '../domain/time.ts';
import { requireId, requireMetric, requireOneOf } from '../domain/validation.ts';
import { callerOf } from '../adapters/appsync-identity.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { metrics } from '../adapters/metrics.ts';
import { alerts, readings, silences, work } from '../adapters/wiring/queries.ts';

async function existingAlert(id: string): Promise<Alert> {
  const alert = await alerts.get(id);
  if (!alert) throw new NotFoundError(`No alert with id '${id}'`);
  return alert;
}

const optional = <T>(value: T | null | undefined, parse: (v: T) => T): T | null =>
  value === null || value === undefined ? null : parse(value);

/**
 * History and triage: a device's readings, recorded alerts, what is open now; acknowledging,
 * snoozing and resetting an alert (docs/alert-states.md).
 */
export const handler = appSyncResolver({
  'Query.events': (args: QueryEventsArgs) => {
    const query = {
      deviceId: requireId(args.deviceId, 'deviceId'),
      metric: optional(args.metric, (m) => requireMetric(m, 'metric')),
      ...timeRange(args.from, args.to),
    };
    return readings.list(query, pageRequest(args, { events: query }));
  },
  'Query.alerts': (args: QueryAlertsArgs) => {
    const query = {
      deviceId: optional(args.deviceId, (d) => requireId(d, 'deviceId')),
      ruleId: optional(args.ruleId, (r) => requireId(r, 'ruleId')),
      status: optional(args.status, (s) => requireOneOf(s, alertStatuses, 'status')),
      ...timeRange(args.from, args.to),
    };
    return alerts.list(query, pageRequest(args, { alerts: query }));
  },
  'Query.activeAlerts': (args: QueryActiveAlertsArgs) => {
    const deviceId = optional(args.deviceId, (d) => requireId(d, 'deviceId'));
    return alerts.active(deviceId, pageRequest(args, { activeAlerts: deviceId }));
  },
  'Mutation.acknowledgeAlert': async (args: MutationAcknowledgeAlertArgs, event) => {
    const id = requireId(args.id, 'id');
    const { name } = callerOf(event.identity);
    const alert = await alerts.acknowledge(id, name, new Date().toISOString());
    if (!alert) throw new NotFoundError(`No alert with id '${id}'`);
    metrics.add('AlertsAcknowledged', 1, alert.severity);
    // The worker owns the alert's state: it applies the acknowledgement to the alert's
    // episode and tells subscribers. The answer is the state it leads to.
    await work.send({ type: 'acknowledgeAlert', alertId: id });
    return acknowledged(alert);
  },
  'Mutation.snoozeAlert': async (args: MutationSnoozeAlertArgs, event) => {
    const id = requireId(args.id, 'id');
    const seconds = requireSnoozeSeconds(args.seconds);
    const alert = requireOpen(await existingAlert(id), 'snoozed');
    const now = Date.now();
    const silence = snoozeSilence(alert, seconds, randomUUID(), now, callerOf(event.identity).name);
    await silences.createSilence(silence);
    // Held from now, as a notification held by it would be: the alert shows the snooze, and
    // its end tells people where the alert stands then.
    await alerts.hold(id, silence.id, silence.startsAt);
    return { ...alert, silenced: true, silenceId: silence.id };
  },
  'Mutation.resetAlert': async (args: MutationResetAlertArgs, event) => {
    const id = requireId(args.id, 'id');
    const alert = requireOpen(await existingAlert(id), 'reset');
    const by = callerOf(event.identity).name;
    const at = new Date().toISOString();
    // The worker owns the episode: it resolves the alert and clears the episode's state.
    await work.send({ type: 'resetAlert', alertId: id, by, at });
    return afterReset(alert, by, at);
  },
});
