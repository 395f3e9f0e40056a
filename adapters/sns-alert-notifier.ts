import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { GroupMessage } from '../domain/notification-groups.ts';
import type { GroupSender } from '../domain/ports.ts';

/**
 * Publishes a notification group's e-mail (domain/group-message.ts) to the SNS topic that
 * e-mails on-call people. The message attributes (infra/resources.ts
 * `alertsTopic.messageAttributes`) let a subscription filter: e.g. only messages listing a
 * CRITICAL alert, one rule's, or by the alerts' labels. `labels` is one String.Array of
 * `key=value` (one attribute per label key would be unbounded: SNS allows 10 per message),
 * so the Berlin site's critical alerts reach its team with the filter policy
 *
 *   { "severity": ["CRITICAL"], "labels": ["site=berlin"] }
 *
 * (a String.Array attribute matches when any of its values does; `{ "prefix": "site=" }`
 * matches any device with a site). Group a rule by `site` (`groupBy: ["site"]`) and each
 * message lists one site's alerts only. Messages whose alerts have no labels send no `labels`.
 */
export class SnsGroupSender implements GroupSender {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(client: SNSClient, topicArn: string) {
    this.#client = client;
    this.#topicArn = topicArn;
  }

  async send(message: GroupMessage): Promise<void> {
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: message.subject,
        Message: message.body,
        MessageAttributes: messageAttributes(message),
      }),
    );
  }
}

/** What a subscription filter policy can test of a group's message. */
export function messageAttributes(message: GroupMessage): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    ruleId: { DataType: 'String', StringValue: message.ruleId },
    severity: { DataType: 'String', StringValue: message.severity },
    kind: { DataType: 'String.Array', StringValue: JSON.stringify(message.kinds) },
  };
  if (message.labels.length > 0) {
    attributes.labels = { DataType: 'String.Array', StringValue: JSON.stringify(message.labels) };
  }
  if (message.deviceId !== null) {
    attributes.deviceId = { DataType: 'String', StringValue: message.deviceId };
  }
  return attributes;
}
