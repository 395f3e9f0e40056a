import { describe, expect, it } from 'vitest';
import type { SystemStatus } from '../../../domain/system-status.ts';
import { printStatusLines, statusLine } from '../../../local/status-line.ts';

const status = (changes: Partial<SystemStatus> = {}): SystemStatus => ({
  readAt: '2026-05-01T12:00:25.000Z',
  queueDepth: 12,
  queueInFlight: 3,
  deadLetterDepth: 1,
  oldestMessageAgeSeconds: 4.2,
  periodSeconds: 10,
  readingsAccepted: [],
  readingsEvaluated: [
    { at: '2026-05-01T12:00:00.000Z', value: 80 },
    { at: '2026-05-01T12:00:10.000Z', value: 42.5 },
    { at: '2026-05-01T12:00:20.000Z', value: 3 },
  ],
  evaluationLagP50: [{ at: '2026-05-01T12:00:10.000Z', value: 85 }],
  evaluationLagP99: [{ at: '2026-05-01T12:00:10.000Z', value: 420 }],
  oldestMessageAge: [],
  ...changes,
});

describe('the status line', () => {
  it('given a status, then one line tells the queues, the oldest age, and the rate and lag of the latest period that has ended', () => {
    expect(statusLine(status())).toBe(
      '12:00:25 queue 12 (3 in flight) · dead-letter 1 · oldest 4 s · 42.5/s evaluated · lag p50 85 ms, p99 420 ms',
    );
  });

  it('given no data in the window, then no readings and no lag are said', () => {
    const line = statusLine(
      status({
        readingsEvaluated: [],
        evaluationLagP50: [],
        evaluationLagP99: [],
        oldestMessageAgeSeconds: null,
      }),
    );
    expect(line).toContain('oldest – · 0/s evaluated · lag p50 –, p99 –');
  });

  it('given a read that fails, then the line says why and the next read prints again', async () => {
    const lines: string[] = [];
    let reads = 0;
    const printing = printStatusLines(
      async () => {
        reads += 1;
        if (reads === 1) throw new Error('the SQS emulator cannot be reached');
        return status();
      },
      (line) => lines.push(line),
      10,
    );
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (lines.length >= 2) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    await printing.stop();
    expect(lines[0]).toBe('status unavailable: the SQS emulator cannot be reached');
    expect(lines[1]).toMatch(/^12:00:25 queue 12/);
  });
});
