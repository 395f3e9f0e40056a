import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { type Alert, describeAlert } from '../domain/alert.ts';
import type { Notification } from '../domain/episode.ts';
import type { AlertNotifier } from '../domain/ports.ts';

/**
 * Publishes an alert to the SNS topic that e-mails on-call people. The message attributes
 * (infra/resources.ts `alertsTopic.messageAttributes`) let a subscription filter: e.g. only
 * CRITICAL alerts, one device's, or by the device's labels. `labels` is one String.Array of
 * `key=value` (one attribute per label key would be unbounded: SNS allows 10 per message),
 * so the Berlin site's critical alerts reach its team with the filter policy
 *
 *   { "severity": ["CRITICAL"], "labels": ["site=berlin"] }
 *
 * (a String.Array attribute matches when any of its values does; `{ "prefix": "site=" }`
 * matches any device with a site). A device without labels sends no `labels` attribute.
 */
export class SnsAlertNotifier implements AlertNotifier {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(client: SNSClient, topicArn: string) {
    this.#client = client;
    this.#topicArn = topicArn;
  }

  async notify({ alert }: Notification): Promise<void> {
    const { subject, body } = describeAlert(alert);
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: subject,
        Message: body,
        MessageAttributes: messageAttributes(alert),
      }),
    );
  }
}

/** What a subscription filter policy can test of an alert. */
export function messageAttributes(alert: Alert): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    deviceId: { DataType: 'String', StringValue: alert.deviceId },
    severity: { DataType: 'String', StringValue: alert.severity },
    ruleId: { DataType: 'String', StringValue: alert.ruleId },
  };
  if (alert.labels && alert.labels.length > 0) {
    attributes.labels = {
      DataType: 'String.Array',
      StringValue: JSON.stringify(alert.labels.map(({ key, value }) => `${key}=${value}`)),
    };
  }
  return attributes;
}
