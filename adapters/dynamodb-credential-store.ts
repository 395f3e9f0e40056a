import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeviceCredential, DeviceCredentialRecord } from '../domain/device-credential.ts';
import type { PageRequest } from '../domain/pagination.ts';
import type { DeviceCredentialStore, Page } from '../domain/ports.ts';
import { tables } from '../infra/resources.ts';
import { isConditionFailure } from './dynamodb-condition.ts';
import { queryPage } from './dynamodb-pages.ts';

const [all] = tables.deviceCredentials.globalSecondaryIndexes;
const KIND = 'credential';

/**
 * Device credentials keyed by id, listed newest first. The secret's hash is stored with the
 * credential and read back only by `findForVerification`; every other read drops it.
 */
export class DynamoDbCredentialStore implements DeviceCredentialStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async create(credential: DeviceCredential, secretHash: string): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        // Unset fields are left out, not stored as NULL: revoke and touch test for their absence.
        Item: {
          ...Object.fromEntries(Object.entries(credential).filter(([, value]) => value !== null)),
          secretHash,
          kind: KIND,
          createdKey: `${credential.createdAt}#${credential.id}`,
        },
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
  }

  async findForVerification(id: string): Promise<DeviceCredentialRecord | null> {
    // Consistent, so that a revocation counts from the moment it is written.
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { id }, ConsistentRead: true }),
    );
    if (!result.Item || typeof result.Item.secretHash !== 'string') return null;
    return { credential: toCredential(result.Item), secretHash: result.Item.secretHash };
  }

  list(page: PageRequest): Promise<Page<DeviceCredential>> {
    return queryPage(
      this.#client,
      {
        table: tables.deviceCredentials,
        tableName: this.#tableName,
        index: all,
        partitionValue: KIND,
        range: { from: null, to: null },
      },
      page,
      toCredential,
    );
  }

  async revoke(id: string, by: string, at: string): Promise<DeviceCredential | null> {
    try {
      const result = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id },
          // A second revocation keeps the first one's time and author.
          UpdateExpression:
            'SET revokedAt = if_not_exists(revokedAt, :at), revokedBy = if_not_exists(revokedBy, :by)',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':at': at, ':by': by },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? toCredential(result.Attributes) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  async touch(id: string, at: string, granularitySeconds: number): Promise<boolean> {
    const due = new Date(Date.parse(at) - granularitySeconds * 1000).toISOString();
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { id },
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression:
            'attribute_exists(id) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt <= :due)',
          ExpressionAttributeValues: { ':at': at, ':due': due },
        }),
      );
      return true;
    } catch (error) {
      // Recorded recently by another request, or the credential is gone: nothing to write.
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** The credential as the API shows it: the hash and the storage keys stay behind. */
function toCredential(item: Record<string, unknown>): DeviceCredential {
  return {
    id: item.id as string,
    name: item.name as string,
    deviceIds: (item.deviceIds as string[] | undefined) ?? [],
    deviceIdPrefix: (item.deviceIdPrefix as string | null | undefined) ?? null,
    createdAt: item.createdAt as string,
    createdBy: item.createdBy as string,
    lastUsedAt: (item.lastUsedAt as string | null | undefined) ?? null,
    revokedAt: (item.revokedAt as string | null | undefined) ?? null,
    revokedBy: (item.revokedBy as string | null | undefined) ?? null,
  };
}
