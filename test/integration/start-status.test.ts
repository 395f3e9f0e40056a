import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../local/free-ports.ts';
import { waitFor } from '../support/wait-for.ts';

const running = new Set<ChildProcess>();

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
});

const STATUS_LINE =
  /^\d\d:\d\d:\d\d queue \d+ \(\d+ in flight\) · dead-letter \d+ · oldest \S+( s)? · [\d.,]+\/s evaluated · lag p50 .+, p99 .+$/m;

describe('npm start -- --status', () => {
  it('given --status, then after the addresses a status line is printed every few seconds, and Ctrl-C still stops the stack', async () => {
    // Prepare
    const names = [
      'PORT',
      'HTTPS_PORT',
      'CONSOLE_PORT',
      'DYNAMODB_PORT',
      'SQS_PORT',
      'SMTP_PORT',
      'INBOX_PORT',
      'COGNITO_PORT',
      'CLOUDWATCH_PORT',
    ];
    const ports = await freePorts(names.length);

    // Act: as a user runs it, throw-away
    const child = spawn(
      process.execPath,
      [new URL('../../local/start.ts', import.meta.url).pathname, '--ephemeral', '--status'],
      {
        env: {
          ...process.env,
          ...Object.fromEntries(names.map((name, i) => [name, String(ports[i])])),
          LOG_LEVEL: 'ERROR',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    running.add(child);
    child.on('exit', () => running.delete(child));
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));

    // Assess: two lines, so it repeats
    await waitFor(
      () =>
        (output.match(new RegExp(STATUS_LINE.source, 'gm'))?.length ?? 0) >= 2 ||
        child.exitCode !== null,
      'two status lines',
      60_000,
    );
    expect(child.exitCode, output).toBeNull();
    expect(output.indexOf('Status every 5 s')).toBeGreaterThan(output.indexOf('GraphQL'));
    expect(output).not.toContain('status unavailable');

    child.kill('SIGINT');
    await waitFor(() => child.exitCode !== null, 'a clean exit on SIGINT', 15_000);
    expect(child.exitCode).toBe(0);
  });
});
