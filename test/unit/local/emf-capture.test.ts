import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { splitEmf, tapEmf } from '../../../local/emf-capture.ts';
import { parseEmf } from '../../../local/emf.ts';

const emfLine = (value: number) =>
  JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: 'TelemetryAlerts', Dimensions: [['service']], Metrics: [{ Name: 'M' }] },
      ],
    },
    service: 'telemetry-alerts',
    M: value,
  });

/** A stream standing in for stdout, keeping what reaches it. */
function terminal(): { stream: NodeJS.WriteStream; written: () => string } {
  let written = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written += String(chunk);
      done();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => written };
}

describe('tapEmf', () => {
  it('given EMF lines and log lines written to stdout, then the EMF lines are captured and only the log lines reach the terminal', async () => {
    const { stream, written } = terminal();
    const captured: string[] = [];
    const untap = tapEmf(stream, (line) => captured.push(line));

    const info = '{"level":"INFO","message":"stored 10 readings"}\n';
    const afterUntap = `${emfLine(4)}\n`;
    stream.write(info);
    stream.write(`${emfLine(1)}\n`);
    stream.write(Buffer.from(`before\n${emfLine(2)}\nafter\n`));
    let called = false;
    stream.write(`${emfLine(3)}\n`, () => (called = true));
    untap();
    stream.write(afterUntap);
    await new Promise((resolve) => setImmediate(resolve));

    expect(captured.map((line) => parseEmf(line)[0]?.values)).toEqual([[1], [2], [3]]);
    expect(written()).toBe(`${info}before\nafter\n${afterUntap}`);
    expect(called).toBe(true);
  });
});

describe('splitEmf', () => {
  it('given a worker thread whose handler writes EMF with Powertools and logs beside it, then its EMF is captured and its other lines are passed on', async () => {
    // Prepare: a thread started as the local stack starts the worker's, with its own stdout
    const thread = new Worker(
      `
      const { Metrics, MetricUnit } = require('@aws-lambda-powertools/metrics');
      const metrics = new Metrics({ namespace: 'TelemetryAlerts', serviceName: 'telemetry-alerts' });
      console.log('a log line');
      for (const lag of [30, 40]) metrics.addMetric('EvaluationLag', MetricUnit.Milliseconds, lag);
      metrics.publishStoredMetrics();
      console.log('another');
      `,
      { eval: true, stdout: true },
    );
    const captured: string[] = [];
    const passed: string[] = [];

    // Act
    await splitEmf(
      thread.stdout,
      (line) => captured.push(line),
      (line) => passed.push(line),
    );

    // Assess
    expect(passed).toEqual(['a log line', 'another']);
    expect(captured.flatMap(parseEmf)).toEqual([
      expect.objectContaining({
        name: 'EvaluationLag',
        unit: 'Milliseconds',
        dimensions: { service: 'telemetry-alerts' },
        values: [30, 40],
      }),
    ]);
  });
});
