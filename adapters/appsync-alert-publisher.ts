import http from 'node:http';
import https from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Alert } from '../domain/alert.ts';
import type { AlertPublisher } from '../domain/ports.ts';

const PUBLISH_ALERT = `mutation PublishAlert($input: AlertInput!) {
  publishAlert(input: $input) {
    id ruleId ruleName deviceId metric value threshold operator severity status reason
    eventId eventTimestamp firedAt resolvedAt acknowledgedAt acknowledgedBy notifiedAt
  }
}`;

/** How long one `publishAlert` call may take before it counts as failed. */
const TIMEOUT_MS = 10_000;

/** The GraphQL API refused or failed a `publishAlert` call. */
export class AlertPublishError extends Error {
  override readonly name = 'AlertPublishError';
}

/**
 * Pushes an alert to `onAlert` subscribers by calling the IAM-only `publishAlert` mutation,
 * signed with the function's own credentials (SigV4, service `appsync`). The mutation
 * selects every field, because subscribers receive only what the mutation selected.
 */
export class AppSyncAlertPublisher implements AlertPublisher {
  readonly #url: URL;
  readonly #signer: SignatureV4;
  readonly #agent: http.Agent;

  constructor(graphqlUrl: string, region: string) {
    this.#url = new URL(graphqlUrl);
    this.#agent = new (this.#url.protocol === 'https:' ? https : http).Agent({ keepAlive: true });
    this.#signer = new SignatureV4({
      service: 'appsync',
      region,
      credentials: defaultProvider(),
      sha256: Sha256,
    });
  }

  async publish(alert: Alert): Promise<void> {
    const body = JSON.stringify({ query: PUBLISH_ALERT, variables: { input: alert } });
    const request = await this.#signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: this.#url.protocol,
        hostname: this.#url.hostname,
        port: this.#url.port ? Number(this.#url.port) : undefined,
        path: this.#url.pathname,
        headers: { 'content-type': 'application/json', host: this.#url.host },
        body,
      }),
    );
    const { status, text } = await this.#post(request.headers, body);
    const result = parseJson(text) as {
      errors?: { errorType?: string; message?: string }[];
    } | null;
    const error = result?.errors?.[0];
    if (status !== 200 || error || result === null) {
      throw new AlertPublishError(
        `publishAlert failed (HTTP ${status}): ${error?.errorType ?? ''} ${error?.message ?? ''}`.trim(),
      );
    }
  }

  /** One POST on a kept-alive connection; node:http costs far less per call than fetch. */
  #post(headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
    const transport = this.#url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        this.#url,
        { method: 'POST', headers, agent: this.#agent, timeout: TIMEOUT_MS },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          response.on('error', reject);
        },
      );
      request.on('timeout', () =>
        request.destroy(new AlertPublishError(`publishAlert got no answer in ${TIMEOUT_MS} ms`)),
      );
      request.on('error', reject);
      request.end(body);
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
