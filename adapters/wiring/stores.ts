import { tables } from '../../infra/resources.ts';
import { dynamodb } from '../clients/dynamodb.ts';
import { setting } from '../config.ts';
import { DynamoDbAlertStore } from '../dynamodb-alert-store.ts';
import { DynamoDbCredentialStore } from '../dynamodb-credential-store.ts';
import { DynamoDbDeviceStore } from '../dynamodb-device-store.ts';
import { DynamoDbReadingStore } from '../dynamodb-reading-store.ts';
import { DynamoDbRuleStore } from '../dynamodb-rule-store.ts';

/*
 * The DynamoDB stores more than one function uses, each written once. A function's wiring
 * module calls the ones it needs, once, at cold start.
 */

export function readingStore(): DynamoDbReadingStore {
  return new DynamoDbReadingStore(
    dynamodb,
    setting(tables.readingBlocks.envVar),
    setting('RETENTION_DAYS'),
  );
}

export function ruleStore(): DynamoDbRuleStore {
  return new DynamoDbRuleStore(dynamodb, setting(tables.rules.envVar));
}

export function alertStore(): DynamoDbAlertStore {
  return new DynamoDbAlertStore(dynamodb, setting(tables.alerts.envVar), setting('RETENTION_DAYS'));
}

/** Device credentials: issued and revoked by the credentials resolver, checked by the authorizer. */
export function credentialStore(): DynamoDbCredentialStore {
  return new DynamoDbCredentialStore(dynamodb, setting(tables.deviceCredentials.envVar));
}

/** The device inventory: recorded by the worker, named and labelled by the devices resolver. */
export function deviceStore(): DynamoDbDeviceStore {
  return new DynamoDbDeviceStore(dynamodb, setting(tables.devices.envVar));
}
