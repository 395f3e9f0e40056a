import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../../domain/alert.ts';
import { type Captured, captureOutput, pointsOf } from '../../support/emf.ts';
import { signedInEvent } from '../../support/resolver-events.ts';

const sent = vi.hoisted(() => [] as unknown[]);

// The handler's wiring, with an alert store holding one WARNING alert.
vi.mock('../../../adapters/wiring/queries.ts', () => ({
  readings: {},
  alerts: {
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
