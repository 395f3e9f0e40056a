import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Alert, describeAlert } from '../domain/alert.ts';
import type { AlertNotifier } from '../domain/ports.ts';

/**
 * Publishes an alert to the SNS topic that e-mails on-call people. The message attributes
 * let a subscription filter, e.g. only CRITICAL alerts, or one device's.
 */
export class SnsAlertNotifier implements AlertNotifier {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(client: SNSClient, topicArn: string) {
    this.#client = client;
    this.#topicArn = topicArn;
  }

  async notify(alert: Alert): Promise<void> {
    const { subject, body } = describeAlert(alert);
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: subject,
        Message: body,
        MessageAttributes: {
          deviceId: { DataType: 'String', StringValue: alert.deviceId },
          severity: { DataType: 'String', StringValue: alert.severity },
          ruleId: { DataType: 'String', StringValue: alert.ruleId },
        },
      }),
    );
  }
}
