import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../domain/alert.ts';
import { matchesAlert, parseAlertMatchers } from '../../../domain/alert-matchers.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { limits } from '../../../domain/limits.ts';
import { expireSilence, newSilence, silenceState, silenceView } from '../../../domain/silences.ts';
import type { CreateSilenceInput } from '../../../generated/graphql.ts';

const now = Date.parse('2026-05-01T12:00:00.000Z');
const hour = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const input = (overrides: Record<string, unknown> = {}): CreateSilenceInput =>
  ({
    matchers: { deviceId: 'D1' },
    endsAt: iso(now + 2 * hour),
    comment: 'replacing the sensor',
    ...overrides,
  }) as CreateSilenceInput;

/** The field and message of the ValidationError a creation is refused with. */
function refusal(overrides: Record<string, unknown>) {
  try {
    newSilence(input(overrides), 's1', now, 'ops@example.com');
  } catch (error) {
    if (error instanceof ValidationError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('the silence was accepted');
}

const alert = (overrides: Partial<Alert> = {}): Alert => ({
  id: 'a1',
  ruleId: 'r1',
  ruleName: null,
  deviceId: 'D1',
  labels: [
    { key: 'site', value: 'berlin' },
    { key: 'model', value: 'b200' },
  ],
  metric: 'temperature',
  value: 70,
  threshold: 60,
  operator: 'GT',
  severity: 'WARNING',
  status: 'FIRING',
  reason: 'THRESHOLD',
  eventId: 'e1',
  eventTimestamp: iso(now),
  firedAt: iso(now),
  resolvedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  notifiedAt: iso(now),
  ...overrides,
});

describe('newSilence', () => {
  it('given matchers, an end and a comment, then it starts now, notifies resolutions and records who made it', () => {
    const silence = newSilence(input(), 's1', now, 'ops@example.com');
    expect(silence).toEqual({
      id: 's1',
      matchers: { ruleId: null, deviceId: 'D1', metric: null, severities: null, labels: null },
      startsAt: iso(now),
      endsAt: iso(now + 2 * hour),
      comment: 'replacing the sensor',
      notifyResolved: true,
      createdAt: iso(now),
      createdBy: 'ops@example.com',
      expiredAt: null,
      expiredBy: null,
    });
  });

  it('given a start later than now, then it is pending until then and active from then until its end', () => {
    const silence = newSilence(
      input({ startsAt: iso(now + hour), notifyResolved: false }),
      's1',
      now,
      'ops',
    );
    expect(silence.notifyResolved).toBe(false);
    expect(silenceState(silence, now)).toBe('PENDING');
    expect(silenceState(silence, now + hour - 1)).toBe('PENDING');
    expect(silenceState(silence, now + hour)).toBe('ACTIVE');
    expect(silenceState(silence, now + 2 * hour - 1)).toBe('ACTIVE');
    expect(silenceState(silence, now + 2 * hour)).toBe('EXPIRED');
  });

  it.each([
    [
      'an end before the start',
      { startsAt: iso(now + 3 * hour) },
      'input.endsAt',
      /after input\.startsAt/,
    ],
    ['an end equal to the start', { startsAt: iso(now + 2 * hour) }, 'input.endsAt', /after/],
    [
      'an end in the past',
      { startsAt: iso(now - 3 * hour), endsAt: iso(now - hour) },
      'input.endsAt',
      /in the past/,
    ],
    [
      'an end too far ahead',
      { endsAt: iso(now + (limits.maxSilenceDays + 1) * 24 * hour) },
      'input.endsAt',
      /at most 366 days ahead/,
    ],
    ['an end that is no date-time', { endsAt: 'tomorrow' }, 'input.endsAt', /ISO-8601/],
    ['an impossible start', { startsAt: '2026-02-30T10:00:00Z' }, 'input.startsAt', /ISO-8601/],
    ['matchers on nothing', { matchers: {} }, 'input.matchers', /at least one of/],
    [
      'matchers all null',
      { matchers: { ruleId: null, deviceId: null } },
      'input.matchers',
      /at least one of/,
    ],
    [
      'an empty severity list',
      { matchers: { severities: [] } },
      'input.matchers.severities',
      /one or more/,
    ],
    [
      'an unknown severity',
      { matchers: { severities: ['LOUD'] } },
      'input.matchers.severities[0]',
      /one of INFO, WARNING, CRITICAL/,
    ],
    ['an empty label selector', { matchers: { labels: [] } }, 'input.matchers.labels', /1 to 16/],
    [
      'a bad label matcher',
      { matchers: { labels: [{ key: 'Site', operator: 'EQ', values: ['x'] }] } },
      'input.matchers.labels[0].key',
      /lower-case/,
    ],
    [
      'a device id with #',
      { matchers: { deviceId: 'a#b' } },
      'input.matchers.deviceId',
      /may contain only/,
    ],
    ['a blank comment', { comment: '   ' }, 'input.comment', /required/],
    [
      'an overlong comment',
      { comment: 'x'.repeat(limits.maxSilenceCommentLength + 1) },
      'input.comment',
      /at most 1000 characters/,
    ],
    ['a comment with a control character', { comment: 'a\u0007b' }, 'input.comment', /control/],
    [
      'notifyResolved not a boolean',
      { notifyResolved: 'yes' },
      'input.notifyResolved',
      /true or false/,
    ],
  ])('given %s, then it is refused naming the field', (_case, overrides, field, message) => {
    const refused = refusal(overrides);
    expect(refused.field).toBe(field);
    expect(refused.message).toMatch(message);
  });

  it('given a comment over several lines, then it is kept', () => {
    expect(newSilence(input({ comment: 'line one\nline two' }), 's1', now, 'ops').comment).toBe(
      'line one\nline two',
    );
  });
});

describe('expireSilence', () => {
  it('given an active silence, when expired, then it ends now and records who', () => {
    const silence = newSilence(input(), 's1', now, 'ops');
    const expired = expireSilence(silence, now + hour, 'lead@example.com');
    expect(expired).toMatchObject({
      endsAt: iso(now + hour),
      expiredAt: iso(now + hour),
      expiredBy: 'lead@example.com',
    });
    expect(silenceView(expired, now + hour).state).toBe('EXPIRED');
  });

  it('given a pending silence, when expired, then it is expired and never becomes active', () => {
    const silence = newSilence(input({ startsAt: iso(now + hour) }), 's1', now, 'ops');
    const expired = expireSilence(silence, now, 'lead');
    expect(silenceState(expired, now + hour + 1)).toBe('EXPIRED');
  });

  it('given a silence expired already, when expired again, then it stays as it was', () => {
    const silence = newSilence(input(), 's1', now, 'ops');
    const expired = expireSilence(silence, now + hour, 'first');
    expect(expireSilence(expired, now + 90 * 60_000, 'second')).toBe(expired);
    const ended = newSilence(input(), 's2', now, 'ops');
    expect(expireSilence(ended, now + 3 * hour, 'late')).toBe(ended);
  });
});

describe('alert matchers', () => {
  const matches = (matchers: Record<string, unknown>, overrides: Partial<Alert> = {}) =>
    matchesAlert(parseAlertMatchers(matchers, 'matchers'), alert(overrides));

  it.each([
    ['ruleId', { ruleId: 'r1' }, { ruleId: 'r2' }],
    ['deviceId', { deviceId: 'D1' }, { deviceId: 'D2' }],
    ['metric', { metric: 'temperature' }, { metric: 'humidity' }],
    ['severities', { severities: ['CRITICAL', 'WARNING'] }, { severity: 'INFO' as const }],
    [
      'labels EQ',
      { labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }] },
      { labels: [{ key: 'site', value: 'paris' }] },
    ],
    [
      'labels NOT_EXISTS',
      { labels: [{ key: 'decommissioned', operator: 'NOT_EXISTS' }] },
      { labels: [{ key: 'decommissioned', value: '' }] },
    ],
  ])(
    'given a %s matcher, then it matches the alert it names and not another',
    (_name, matchers, other) => {
      expect(matches(matchers)).toBe(true);
      expect(matches(matchers, other)).toBe(false);
    },
  );

  it('given several matchers, then every one must hold', () => {
    const matchers = {
      ruleId: 'r1',
      deviceId: 'D1',
      metric: 'temperature',
      severities: ['WARNING'],
      labels: [{ key: 'model', operator: 'IN', values: ['b200', 'b300'] }],
    };
    expect(matches(matchers)).toBe(true);
    expect(matches(matchers, { deviceId: 'D2' })).toBe(false);
    expect(matches(matchers, { severity: 'CRITICAL' })).toBe(false);
    expect(matches(matchers, { labels: [] })).toBe(false);
  });

  it('given an alert stored before labels, then a label matcher requiring one does not match it', () => {
    expect(matches({ labels: [{ key: 'site', operator: 'EXISTS' }] }, { labels: null })).toBe(
      false,
    );
  });
});
