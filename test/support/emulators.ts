import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startDynamoDb, startSqsAndSns } from '../../local/emulators.ts';
import { freePorts } from '../../local/free-ports.ts';
import { type ProvisionedResources, provision, type QueueSettings } from '../../local/provision.ts';

export interface ProvisionedEmulators {
  dynamodb: DynamoDBClient;
  dynamodbUrl: string;
  sqs: SQSClient;
  sns: SNSClient;
  resources: ProvisionedResources;
  close(): Promise<void>;
}

/**
 * DynamoDB and SQS/SNS emulators on free loopback ports, in memory, provisioned as the
 * local stack provisions them: for tests of the adapters and of provisioning itself.
 */
export async function startProvisionedEmulators(
  queue: QueueSettings,
): Promise<ProvisionedEmulators> {
  const [dynamodbPort, queuesPort] = (await freePorts(2)) as [number, number];
  const db = await startDynamoDb({ host: '127.0.0.1', port: dynamodbPort, dataDir: null });
  const queues = await startSqsAndSns({
    host: '127.0.0.1',
    port: queuesPort,
    dataDir: null,
    region: 'us-east-1',
  });
  const config = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const dynamodb = new DynamoDBClient({ ...config, endpoint: db.url });
  const sqs = new SQSClient({ ...config, endpoint: queues.url });
  const sns = new SNSClient({ ...config, endpoint: queues.url });
  const resources = await provision({ dynamodb, sqs, sns }, queue);
  return {
    dynamodb,
    dynamodbUrl: db.url,
    sqs,
    sns,
    resources,
    close: async () => {
      await queues.close();
      await db.close();
    },
  };
}
