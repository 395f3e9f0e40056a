import { Annotations } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationsProps {
  /** E-mail addresses subscribed to alerts; each confirms the subscription by e-mail. */
  alertEmails: string[];
}

/**
 * The alerts topic that e-mails on-call people about their devices. Encrypted with its own
 * KMS key; TLS only. The system's own alarms go to the operations topic instead
 * (infra/constructs/observability.ts).
 */
export class Notifications extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts alert notifications at rest',
      enableKeyRotation: true,
    });
    this.topic = new Topic(this, 'AlertsTopic', {
      displayName: 'Telemetry alerts',
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of props.alertEmails) {
      this.topic.addSubscription(new EmailSubscription(email));
    }
    if (props.alertEmails.length === 0) {
      Annotations.of(this).addWarningV2(
        'telemetry-alerts:no-alert-email',
        'No e-mail subscribes to alerts: deploy with -c alertEmail=you@example.com (comma-separated for several).',
      );
    }
  }
}
