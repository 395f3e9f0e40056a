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

  constructor(graphqlUrl: string, region: string) {
    this.#url = new URL(graphqlUrl);
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
    // fetch sets Host itself, to the same value that was signed.
    const { host: _host, ...headers } = request.headers;
    const response = await fetch(this.#url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const result = (await response.json().catch(() => null)) as {
      errors?: { errorType?: string; message?: string }[];
    } | null;
    const error = result?.errors?.[0];
    if (!response.ok || error || result === null) {
      throw new AlertPublishError(
        `publishAlert failed (HTTP ${response.status}): ${error?.errorType ?? ''} ${error?.message ?? ''}`.trim(),
      );
    }
  }
}
