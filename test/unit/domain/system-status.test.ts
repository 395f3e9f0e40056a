import { describe, expect, it } from 'vitest';
import {
  type MetricPoint,
  readSystemStatus,
  type StatusSeries,
  type StatusWindow,
  type SystemStatusSource,
} from '../../../domain/system-status.ts';

const now = Date.parse('2026-05-01T12:00:07.500Z');
const minute = (m: number) => Date.parse('2026-05-01T12:00:00.000Z') + m * 60_000;

/** A source with fixed answers, keeping the window it was asked for. */
function source(series: Partial<Record<StatusSeries, MetricPoint[]>>) {
  const asked: StatusWindow[] = [];
  const fake: SystemStatusSource = {
    queueDepths: async () => ({ waiting: 7, inFlight: 3, deadLetter: 2 }),
    series: async (window) => {
      asked.push(window);
      return {
        readingsAccepted: [],
        readingsEvaluated: [],
        evaluationLagP50: [],
        evaluationLagP99: [],
        oldestMessageAge: [],
        ...series,
      };
    },
  };
  return { fake, asked };
}

describe('readSystemStatus', () => {
  it('given the queues, then the depth counts waiting and in-flight messages and the dead-letter queue is its own count', async () => {
    const { fake } = source({});
    const status = await readSystemStatus(fake, { minutes: 15, periodSeconds: 60, now });
    expect(status).toMatchObject({
      readAt: '2026-05-01T12:00:07.500Z',
      queueDepth: 10,
      queueInFlight: 3,
      deadLetterDepth: 2,
      periodSeconds: 60,
    });
  });

  it('given sums per period, then readings become per-second rates, oldest first, and the lag stays in milliseconds', async () => {
    const { fake } = source({
      readingsEvaluated: [
        { at: minute(-1), value: 600 },
        { at: minute(-3), value: 120 },
      ],
      readingsAccepted: [{ at: minute(-1), value: 60 }],
      evaluationLagP99: [{ at: minute(-1), value: 850 }],
    });
    const status = await readSystemStatus(fake, { minutes: 15, periodSeconds: 60, now });
    expect(status.readingsEvaluated).toEqual([
      { at: '2026-05-01T11:57:00.000Z', value: 2 },
      { at: '2026-05-01T11:59:00.000Z', value: 10 },
    ]);
    expect(status.readingsAccepted).toEqual([{ at: '2026-05-01T11:59:00.000Z', value: 1 }]);
    expect(status.evaluationLagP99).toEqual([{ at: '2026-05-01T11:59:00.000Z', value: 850 }]);
  });

  it('given a window of minutes, then the source is asked from the start of the period that holds its beginning, up to now', async () => {
    const { fake, asked } = source({});
    await readSystemStatus(fake, { minutes: 5, periodSeconds: 60, now });
    expect(asked).toEqual([{ from: minute(-5), to: now, periodSeconds: 60 }]);
  });

  it('given the age series, then the oldest message age is its latest point, and null when there is none', async () => {
    const aged = await readSystemStatus(
      source({
        oldestMessageAge: [
          { at: minute(0), value: 4 },
          { at: minute(-1), value: 90 },
        ],
      }).fake,
      { minutes: 15, periodSeconds: 60, now },
    );
    expect(aged.oldestMessageAgeSeconds).toBe(4);
    const none = await readSystemStatus(source({}).fake, { minutes: 15, periodSeconds: 60, now });
    expect(none.oldestMessageAgeSeconds).toBeNull();
  });

  it('given points outside the window, then they are left out', async () => {
    const { fake } = source({ readingsEvaluated: [{ at: minute(-20), value: 60 }] });
    const status = await readSystemStatus(fake, { minutes: 15, periodSeconds: 60, now });
    expect(status.readingsEvaluated).toEqual([]);
  });
});
