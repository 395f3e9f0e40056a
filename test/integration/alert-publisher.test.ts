import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AlertPublishError,
  AppSyncAlertPublisher,
} from '../../adapters/appsync-alert-publisher.ts';
import { thresholdAlert } from '../../domain/alert.ts';
import { newRule } from '../../domain/rule.ts';

const rule = newRule(
  { metric: 'temperature', operator: 'GT', threshold: 60, deviceId: 'pump-7' },
  'rule-1',
  '2026-05-01T00:00:00.000Z',
);
const alert = thresholdAlert(
  rule,
  {
    id: 'r1',
    deviceId: 'pump-7',
    metric: 'temperature',
    value: 71,
    timestamp: '2026-05-01T12:00:00.000Z',
  },
  71,
  '2026-05-01T12:00:01.000Z',
);

let server: Server | null = null;

/** A stand-in GraphQL endpoint on a free loopback port; records what it was sent. */
async function endpoint(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; requests: { headers: IncomingMessage['headers']; body: string }[] }> {
  const requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, requests };
}

beforeAll(() => {
  // The publisher signs with the default credential chain: environment credentials here.
  process.env.AWS_ACCESS_KEY_ID = 'AKIDPUBLISHERTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'publisher-test-secret';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

describe('AppSyncAlertPublisher', () => {
  it('given an endpoint that answers, then the alert is sent as a SigV4-signed publishAlert with every field', async () => {
    const { url, requests } = await endpoint((_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ data: { publishAlert: { id: alert.id } } }));
    });
    await new AppSyncAlertPublisher(url, 'us-east-1').publish(alert);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDPUBLISHERTEST\/\d{8}\/us-east-1\/appsync\/aws4_request/,
    );
    const sent = JSON.parse(request?.body ?? '{}') as {
      query: string;
      variables: { input: typeof alert };
    };
    expect(sent.query).toContain('publishAlert(input: $input)');
    // Every field of the alert, and no resolution (it fired) nor silence or flapping mark: null, as
    // GraphQL carries it.
    expect(sent.variables.input).toEqual({
      ...alert,
      resolution: null,
      silenced: null,
      silenceId: null,
      flapping: null,
    });
  });

  it('given an alert of a flapping episode, then its flapping mark is sent and selected for subscribers', async () => {
    const { url, requests } = await endpoint((_, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ data: { publishAlert: { id: alert.id } } }));
    });
    await new AppSyncAlertPublisher(url, 'us-east-1').publish({ ...alert, flapping: true });
    const sent = JSON.parse(requests[0]?.body ?? '{}') as {
      query: string;
      variables: { input: { flapping: boolean | null } };
    };
    expect(sent.variables.input.flapping).toBe(true);
    expect(sent.query).toMatch(/\bflapping\b/);
  });

  it.each([
    ['an HTTP error', 403, { errors: [{ errorType: 'UnauthorizedException', message: 'no' }] }],
    ['a GraphQL error', 200, { errors: [{ errorType: 'BadRequest', message: 'bad input' }] }],
    ['a body that is not JSON', 200, '<html>gateway</html>'],
  ])('given %s, then the push fails with the reason', async (_, status, body) => {
    const { url } = await endpoint((_request, response) => {
      response.statusCode = status;
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    await expect(new AppSyncAlertPublisher(url, 'us-east-1').publish(alert)).rejects.toThrow(
      AlertPublishError,
    );
  });

  it('given an endpoint that never answers, then the push fails at its deadline instead of waiting on', async () => {
    const { url, requests } = await endpoint(() => {});
    const publisher = new AppSyncAlertPublisher(url, 'us-east-1', { timeoutMs: 300 });
    const started = Date.now();
    await expect(publisher.publish(alert)).rejects.toThrow(
      new AlertPublishError('publishAlert got no answer within 300 ms'),
    );
    expect(requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('given an endpoint that stalls in the middle of its answer, then the push fails at its deadline', async () => {
    const { url } = await endpoint((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":');
    });
    const publisher = new AppSyncAlertPublisher(url, 'us-east-1', { timeoutMs: 300 });
    const started = Date.now();
    await expect(publisher.publish(alert)).rejects.toThrow(
      new AlertPublishError('publishAlert got no whole answer within 300 ms'),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('given an answer whose UTF-8 characters are split across chunks, then it is read whole', async () => {
    const message = 'Gerät »pump-7« über 60 °C: 71 € Schaden';
    const { url } = await endpoint((_, response) => {
      const text = Buffer.from(JSON.stringify({ errors: [{ errorType: 'Bad', message }] }));
      const split = text.indexOf(Buffer.from('€')) + 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(text.subarray(0, split));
      setTimeout(() => response.end(text.subarray(split)), 20);
    });
    await expect(new AppSyncAlertPublisher(url, 'us-east-1').publish(alert)).rejects.toThrow(
      `Bad ${message}`,
    );
  });
});
