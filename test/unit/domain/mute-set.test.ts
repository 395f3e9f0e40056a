import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../domain/alert.ts';
import { newMaintenanceWindow } from '../../../domain/maintenance-window.ts';
import { type MuteEntry, MuteIndex, silenceMute, windowMute } from '../../../domain/mute-set.ts';
import { newSilence } from '../../../domain/silences.ts';
import type { CreateSilenceInput } from '../../../generated/graphql.ts';

const now = Date.parse('2026-05-01T12:00:00.000Z');
const hour = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const silence = (
  id: string,
  matchers: Record<string, unknown>,
  times: { startsAt?: number; endsAt?: number } = {},
): MuteEntry =>
  silenceMute(
    newSilence(
      {
        matchers,
        startsAt: iso(times.startsAt ?? now),
        endsAt: iso(times.endsAt ?? now + hour),
        comment: id,
      } as CreateSilenceInput,
      id,
      now,
      'ops',
    ),
  );

const alert = (overrides: Partial<Alert> = {}): Alert => ({
  id: 'a1',
  ruleId: 'r1',
  deviceId: 'D1',
  labels: [{ key: 'site', value: 'berlin' }],
  metric: 'temperature',
  value: 70,
  threshold: 60,
  operator: 'GT',
  severity: 'WARNING',
  status: 'FIRING',
  reason: 'THRESHOLD',
  firedAt: iso(now),
  ruleName: null,
  eventId: null,
  eventTimestamp: null,
  resolvedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  notifiedAt: null,
  ...overrides,
});

/** Counts how many mutes `mutedBy` asks whether they are active. */
function counted(mute: MuteEntry, calls: { count: number }): MuteEntry {
  return {
    ...mute,
    active: (at) => {
      calls.count += 1;
      return mute.active(at);
    },
  };
}

describe('MuteIndex', () => {
  it.each([
    ['its rule', { ruleId: 'r1' }, { ruleId: 'r2' }],
    ['its device', { deviceId: 'D1' }, { deviceId: 'D2' }],
    ['its metric', { metric: 'temperature' }, { metric: 'cpu' }],
    [
      'a label value',
      { labels: [{ key: 'site', operator: 'IN', values: ['paris', 'berlin'] }] },
      { labels: [{ key: 'site', value: 'rome' }] },
    ],
    ['a severity', { severities: ['WARNING', 'CRITICAL'] }, { severity: 'INFO' as const }],
    [
      'a label that must be absent',
      { labels: [{ key: 'lab', operator: 'NOT_EXISTS' }] },
      { labels: [{ key: 'lab', value: 'yes' }] },
    ],
    [
      'a rule and a label',
      { ruleId: 'r1', labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }] },
      { labels: [{ key: 'site', value: 'rome' }] },
    ],
  ])(
    'given an active silence of %s, then it mutes the alerts it matches and no other',
    (_name, matchers, other) => {
      const index = new MuteIndex([silence('s1', matchers)]);
      expect(index.mutedBy(alert(), now)).toEqual({
        id: 's1',
        kind: 'SILENCE',
        notifyResolved: true,
      });
      expect(index.mutedBy(alert(other), now)).toBeNull();
    },
  );

  it('given a pending silence, then it mutes from its start without any change, and not after its end', () => {
    const index = new MuteIndex([
      silence('s1', { deviceId: 'D1' }, { startsAt: now + hour, endsAt: now + 2 * hour }),
    ]);
    expect(index.mutedBy(alert(), now)).toBeNull();
    expect(index.mutedBy(alert(), now + hour)?.id).toBe('s1');
    expect(index.mutedBy(alert(), now + 2 * hour)).toBeNull();
    expect(index.get('s1', now)).toEqual({
      id: 's1',
      kind: 'SILENCE',
      notifyResolved: true,
      active: false,
    });
    expect(index.get('s1', now + hour)?.active).toBe(true);
    expect(index.get('unknown', now)).toBeNull();
  });

  it('given a maintenance window, then it mutes during its periods only', () => {
    const window = windowMute(
      newMaintenanceWindow(
        {
          name: 'nightly',
          timeZone: 'UTC',
          periods: [{ days: ['FRIDAY'], start: '11:00', end: '13:00' }],
          matchers: { metric: 'temperature' },
          notifyResolved: false,
        },
        'w1',
        now,
        'ops',
      ),
    );
    const index = new MuteIndex([window]);
    // 2026-05-01 is a Friday.
    expect(index.mutedBy(alert(), now)).toEqual({
      id: 'w1',
      kind: 'MAINTENANCE_WINDOW',
      notifyResolved: false,
    });
    expect(index.mutedBy(alert(), now + 2 * hour)).toBeNull();
  });

  it('given two silences holding an alert, then the one ending last is named', () => {
    const index = new MuteIndex([
      silence('early', { deviceId: 'D1' }, { endsAt: now + hour }),
      silence('late', { metric: 'temperature' }, { endsAt: now + 2 * hour }),
    ]);
    expect(index.mutedBy(alert(), now)?.id).toBe('late');
  });

  it('given a silence replaced and one removed, then the set answers by the new ones', () => {
    const index = new MuteIndex([
      silence('s1', { deviceId: 'D1' }),
      silence('s2', { ruleId: 'r9' }),
    ]);
    index.upsert(silence('s1', { deviceId: 'D2' }));
    index.remove('s2');
    expect(index.size).toBe(1);
    expect(index.mutedBy(alert(), now)).toBeNull();
    expect(index.mutedBy(alert({ deviceId: 'D2' }), now)?.id).toBe('s1');
    expect(index.mutedBy(alert({ ruleId: 'r9' }), now)).toBeNull();
  });

  it('given 10,000 active silences, then an alert gets the one that matches it, looking at a handful only', () => {
    // Prepare: 10,000 silences of one device, rule, metric or site each (the site ones also
    // need a model label the alert has not), and the one that matches.
    const calls = { count: 0 };
    const mutes: MuteEntry[] = [];
    for (let i = 0; i < 10_000; i++) {
      const matchers = [
        { deviceId: `device-${i}` },
        { ruleId: `rule-${i}` },
        { metric: `metric-${i}` },
        {
          labels: [
            { key: 'site', operator: 'EQ', values: [`site-${i}`] },
            { key: 'model', operator: 'EXISTS' },
          ],
        },
      ][i % 4] as Record<string, unknown>;
      mutes.push(counted(silence(`s${i}`, matchers), calls));
    }
    mutes.push(counted(silence('the-one', { deviceId: 'D1', metric: 'temperature' }), calls));
    const index = new MuteIndex(mutes);

    // Act
    const found = index.mutedBy(alert({ labels: [{ key: 'site', value: 'site-3' }] }), now);
    const none = index.mutedBy(alert({ deviceId: 'D-unknown', labels: [] }), now);

    // Assess
    expect(found?.id).toBe('the-one');
    expect(none).toBeNull();
    // The device's bucket and the site's: two mutes looked at, not 10,000.
    expect(calls.count).toBeLessThanOrEqual(3);
    expect(index.mutedBy(alert({ deviceId: 'device-4000', labels: [] }), now)?.id).toBe('s4000');
  });
});
