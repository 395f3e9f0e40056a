import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../../domain/alert.ts';
import { type Captured, captureOutput, pointsOf } from '../../support/emf.ts';
import { signedInEvent } from '../../support/resolver-events.ts';

const sent = vi.hoisted(() => [] as unknown[]);
/** Silences the snooze wrote, and the holds it took. */
const written = vi.hoisted(() => ({ silences: [] as unknown[], holds: [] as unknown[] }));

/** The alerts `get` finds: one firing, one resolved. */
const stored = vi.hoisted(() => {
  const firing = {
    id: 'a1',
    ruleId: 'hot',
    ruleName: 'Boiler too hot',
    deviceId: 'D1',
    status: 'FIRING',
    severity: 'WARNING',
    firedAt: '2026-05-01T12:00:00.000Z',
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
  };
  return new Map<string, Record<string, unknown>>([
    ['a1', firing],
    ['done', { ...firing, id: 'done', status: 'RESOLVED', resolvedAt: '2026-05-01T12:05:00.000Z' }],
  ]);
});

// The handler's wiring, with an alert store holding one WARNING alert.
vi.mock('../../../adapters/wiring/queries.ts', () => ({
  readings: {},
  silences: { createSilence: async (silence: unknown) => void written.silences.push(silence) },
  alerts: {
    get: async (id: string) => stored.get(id) ?? null,
    hold: async (...args: unknown[]) => {
      written.holds.push(args);
      return true;
    },
    acknowledge: async (id: string, by: string, at: string) =>
      id === 'a1'
        ? ({
            id,
            status: 'FIRING',
            severity: 'WARNING',
            acknowledgedBy: by,
            acknowledgedAt: at,
          } as Partial<Alert>)
        : null,
  },
  work: { send: async (message: unknown) => void sent.push(message) },
}));

const { handler } = await import('../../../resolvers/queries.ts');

const acknowledge = (id: string) => signedInEvent('operators', 'Mutation.acknowledgeAlert', { id });

let output: Captured;
beforeEach(() => {
  sent.length = 0;
  written.silences.length = 0;
  written.holds.length = 0;
  output = captureOutput();
});
afterEach(() => output.restore());

describe('acknowledgeAlert, observed', () => {
  it('given an operator acknowledges an alert, then its invocation counts AlertsAcknowledged by the alert severity', async () => {
    const answer = await handler(acknowledge('a1'));

    expect(pointsOf(output.points(), 'AlertsAcknowledged', { severity: 'WARNING' })).toEqual([
      expect.objectContaining({ unit: 'Count', values: [1] }),
    ]);
    expect(sent).toEqual([{ type: 'acknowledgeAlert', alertId: 'a1' }]);
    expect(answer).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'op@example.com' });
  });

  it('given no such alert, then nothing is counted', async () => {
    await handler(acknowledge('gone'));

    expect(output.points()).toEqual([]);
  });
});

describe('snoozeAlert', () => {
  const snooze = (id: string, seconds: unknown) =>
    handler(signedInEvent('operators', 'Mutation.snoozeAlert', { id, seconds }));

  it('given an operator snoozes a firing alert for an hour, then a silence of its rule and device is written in their name, the alert held by it, and the answer shows it', async () => {
    const answer = await snooze('a1', 3600);

    expect(written.silences).toEqual([
      expect.objectContaining({
        matchers: expect.objectContaining({ ruleId: 'hot', deviceId: 'D1' }),
        createdBy: 'op@example.com',
        comment: 'Snooze of alert a1 (Boiler too hot (hot) on D1) for 1 h',
      }),
    ]);
    const [silence] = written.silences as { id: string; startsAt: string }[];
    expect(written.holds).toEqual([['a1', silence?.id, silence?.startsAt]]);
    expect(answer).toMatchObject({ id: 'a1', silenced: true, silenceId: silence?.id });
  });

  it.each([
    ['seconds out of range', 'a1', 59, 'ValidationError'],
    ['a resolved alert', 'done', 3600, 'ValidationError'],
    ['an unknown alert', 'nope', 3600, 'NotFound'],
  ])(
    'given %s, then the snooze is refused and nothing is written',
    async (_case, id, seconds, errorType) => {
      const answer = await snooze(id, seconds);

      expect(answer).toMatchObject({ __error: { errorType } });
      expect(written).toEqual({ silences: [], holds: [] });
    },
  );
});

describe('resetAlert', () => {
  const reset = (id: string) => handler(signedInEvent('operators', 'Mutation.resetAlert', { id }));

  it('given an operator resets a firing alert, then the worker is told who and when, and the answer is the alert resolved then, saying who', async () => {
    const answer = (await reset('a1')) as Record<string, unknown>;

    expect(sent).toEqual([
      { type: 'resetAlert', alertId: 'a1', by: 'op@example.com', at: answer.resolvedAt },
    ]);
    expect(answer).toMatchObject({ status: 'RESOLVED', resolution: 'reset by op@example.com' });
  });

  it('given a resolved alert, then the reset is refused and the worker told nothing', async () => {
    expect(await reset('done')).toMatchObject({ __error: { errorType: 'ValidationError' } });
    expect(sent).toEqual([]);
  });
});
