import type { Readable } from 'node:stream';
import { NodeSha256 } from './clients/sha256.ts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Alert } from '../domain/alert.ts';
import type { AlertInput } from '../generated/graphql.ts';
import type { AlertPublisher } from '../domain/ports.ts';

const PUBLISH_ALERT = `mutation PublishAlert($input: AlertInput!) {
  publishAlert(input: $input) {
    id ruleId ruleName deviceId labels { key value } metric value threshold operator severity status reason
    silenced silenceId
    eventId eventTimestamp firedAt resolvedAt acknowledgedAt acknowledgedBy notifiedAt resolution
  }
}`;

/** How long one `publishAlert` call may take in all (connect, send, answer) before it fails. */
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
  readonly #http: NodeHttpHandler;
  readonly #timeoutMs: number;

  constructor(graphqlUrl: string, region: string, options: { timeoutMs?: number } = {}) {
    this.#url = new URL(graphqlUrl);
    this.#timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
    this.#http = new NodeHttpHandler({ connectionTimeout: this.#timeoutMs });
    this.#signer = new SignatureV4({
      service: 'appsync',
      region,
      credentials: defaultProvider(),
      sha256: NodeSha256,
    });
  }

  async publish(alert: Alert): Promise<void> {
    const body = JSON.stringify({ query: PUBLISH_ALERT, variables: { input: alertInput(alert) } });
    const signed = await this.#signer.sign(
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
    // The SDK's own HTTP handler: node:http on kept-alive connections, far cheaper per call
    // than fetch. Its request timeout only warns, so one deadline covers the whole exchange,
    // the answer's body included: a stalled endpoint fails the push instead of holding it.
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    let status: number | undefined;
    let result: { errors?: { errorType?: string; message?: string }[] } | null;
    try {
      const { response } = await this.#http.handle(new HttpRequest(signed), {
        abortSignal: deadline,
      });
      status = response.statusCode;
      result = parseJson(await readText(response.body as Readable)) as typeof result;
    } catch (error) {
      if (!deadline.aborted) throw error;
      throw new AlertPublishError(
        `publishAlert got no ${status === undefined ? 'answer' : 'whole answer'} within ${this.#timeoutMs} ms`,
        { cause: error },
      );
    }
    const error = result?.errors?.[0];
    if (status !== 200 || error || result === null) {
      throw new AlertPublishError(
        `publishAlert failed (HTTP ${status}): ${error?.errorType ?? ''} ${error?.message ?? ''}`.trim(),
      );
    }
  }
}

/**
 * The alert as AlertInput has it: its GraphQL fields only (anything else the worker kept
 * would be refused as an unknown input field), the resolution's reason among them.
 */
export function alertInput(alert: Alert): AlertInput {
  return {
    id: alert.id,
    ruleId: alert.ruleId,
    ruleName: alert.ruleName,
    deviceId: alert.deviceId,
    labels: alert.labels?.map(({ key, value }) => ({ key, value })) ?? null,
    metric: alert.metric,
    value: alert.value,
    threshold: alert.threshold,
    operator: alert.operator,
    severity: alert.severity,
    status: alert.status,
    reason: alert.reason,
    eventId: alert.eventId,
    eventTimestamp: alert.eventTimestamp,
    firedAt: alert.firedAt,
    resolvedAt: alert.resolvedAt,
    acknowledgedAt: alert.acknowledgedAt,
    acknowledgedBy: alert.acknowledgedBy,
    silenced: alert.silenced ?? null,
    silenceId: alert.silenceId ?? null,
    notifiedAt: alert.notifiedAt,
    resolution: alert.resolution ?? null,
  };
}

/** The whole body of a response, as UTF-8 text (chunks may split a character). */
async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
