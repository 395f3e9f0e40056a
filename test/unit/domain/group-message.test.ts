import { describe, expect, it } from 'vitest';
import { type Alert, describeAlert, thresholdAlert } from '../../../domain/alert.ts';
import type { NotificationKind } from '../../../domain/episode.ts';
import { describeGroup, MAX_BODY_BYTES } from '../../../domain/group-message.ts';
import type { GroupEntry } from '../../../domain/notification-groups.ts';
import { reading, rule, t0 } from '../../support/builders.ts';

const head = { ruleId: 'hot', labels: [] };

function alertOf(deviceId: string, severity: Alert['severity'] = 'WARNING'): Alert {
  return thresholdAlert(
    rule('hot', { severity, name: 'Boiler too hot' }),
    reading(`r-${deviceId}`, 75, 0, deviceId),
    75,
    new Date(t0).toISOString(),
    { site: 'berlin', room: deviceId },
  );
}

function entry(alert: Alert, kind: NotificationKind = 'FIRING', at = 0): GroupEntry {
  return { id: `${alert.id}/${kind}@${at}`, kind, alert, addedAt: t0 + at };
}

describe('the e-mail of a notification group', () => {
  it('given one firing alert, then the message is the alert’s own e-mail, with its device as an attribute', () => {
    const alert = alertOf('D1');
    const [only, ...rest] = describeGroup(head, [entry(alert)]);
    expect(rest).toEqual([]);
    expect(only?.message).toMatchObject({
      ...describeAlert(alert),
      deviceId: 'D1',
      kinds: ['FIRING'],
      labels: ['room=D1', 'site=berlin'],
    });
  });

  it.each([
    ['REPEAT', 'Still firing: [WARNING] D1', 'Still firing.'],
    ['FLAPPING', 'Flapping: [WARNING] D1', 'Flapping started.'],
    ['FLAPPING_STOPPED', 'Flapping stopped: [WARNING] D1', 'Flapping stopped.'],
    ['UNSILENCED', 'Silence ended: [WARNING] D1', 'Silence ended.'],
  ] as const)(
    'given one alert’s %s notification, then the subject and the first line say so',
    (kind, subject, first) => {
      const [only] = describeGroup(head, [entry(alertOf('D1'), kind)]);
      expect(only?.message.subject.startsWith(subject)).toBe(true);
      expect(only?.message.body.split('\n')[0]).toBe(first);
    },
  );

  it('given 500 alerts of several severities and kinds, then one message counts them, lists each once under what happened, and names the worst severity', () => {
    const alerts = Array.from({ length: 500 }, (_, i) =>
      alertOf(`D${String(i).padStart(3, '0')}`, i === 7 ? 'CRITICAL' : 'WARNING'),
    );
    const entries = alerts.map((alert, i) => entry(alert, 'FIRING', i));
    const resolved = { ...(alerts[3] as Alert), status: 'RESOLVED' as const };
    entries.push(entry(resolved, 'RESOLVED', 600));
    const messages = describeGroup(head, entries);
    expect(messages).toHaveLength(1);
    const { message, entryIds } = messages[0] as (typeof messages)[number];
    expect(entryIds).toHaveLength(501);
    expect(message.subject).toBe(
      '[CRITICAL] Boiler too hot: 500 alerts, 499 fired, 1 fired, then resolved',
    );
    expect(message.subject.length).toBeLessThanOrEqual(100);
    expect(message.severity).toBe('CRITICAL');
    expect(message.kinds).toEqual(['FIRING', 'RESOLVED']);
    expect(message.deviceId).toBeNull();
    expect(message.body).toContain('Fired (499):');
    expect(message.body).toContain('Fired, then resolved (1):');
    for (const alert of alerts) {
      expect(message.body.split(`alert ${alert.id}`)).toHaveLength(2);
    }
  });

  it('given a group labelled by its groupBy values and a long rule name, then the subject stays within 100 printable ASCII characters', () => {
    const alerts = ['D1', 'D2'].map((id) => ({
      ...alertOf(id),
      ruleName: `Kessel zu heiß in Gebäude ${'Ä'.repeat(120)}`,
    }));
    const [only] = describeGroup(
      { ruleId: 'hot', labels: [{ key: 'site', value: 'berlin' }] },
      alerts.map((alert, i) => entry(alert, 'FIRING', i)),
    );
    expect(only?.message.subject.length).toBeLessThanOrEqual(100);
    expect(only?.message.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(only?.message.body).toContain('Group:      site=berlin');
  });

  it('given more alerts than one message holds, then they are split into parts, each alert in exactly one', () => {
    const alerts = Array.from({ length: 3000 }, (_, i) => alertOf(`device-${i}`));
    const messages = describeGroup(
      head,
      alerts.map((alert, i) => entry(alert, 'FIRING', i)),
    );
    expect(messages.length).toBeGreaterThan(1);
    const listed = messages.flatMap((m) => m.entryIds);
    expect(listed).toHaveLength(3000);
    expect(new Set(listed).size).toBe(3000);
    for (const { message } of messages) {
      expect(new TextEncoder().encode(message.body).length).toBeLessThanOrEqual(MAX_BODY_BYTES);
      expect(message.subject).toMatch(/\(part \d of \d\)$/);
    }
  });

  it('given nothing waiting, then there is no message', () => {
    expect(describeGroup(head, [])).toEqual([]);
  });
});
