import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type CfnTable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type KeyDefinition, type TableDefinition, tables } from '../resources.ts';

export type TableName = keyof typeof tables;

/**
 * The DynamoDB tables, built from the shared definitions in infra/resources.ts: on demand,
 * point-in-time recovery, encrypted, TTL where items expire, and the indexes the queries use
 * (each copying every attribute, or only those its definition names).
 */
export class Storage extends Construct {
  readonly tables: Record<TableName, Table>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const build = (definition: TableDefinition) => {
      const table = new Table(this, definition.id, {
        partitionKey: key(definition.partitionKey),
        ...(definition.sortKey ? { sortKey: key(definition.sortKey) } : {}),
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryption.AWS_MANAGED,
        ...(definition.timeToLiveAttribute
          ? { timeToLiveAttribute: definition.timeToLiveAttribute }
          : {}),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      for (const index of definition.globalSecondaryIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: key(index.partitionKey),
          sortKey: key(index.sortKey),
          ...(index.nonKeyAttributes
            ? {
                projectionType: ProjectionType.INCLUDE,
                nonKeyAttributes: [...index.nonKeyAttributes],
              }
            : {
                projectionType:
                  index.projection === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
              }),
        });
      }
      return table;
    };
    this.tables = {
      readingBlocks: build(tables.readingBlocks),
      rules: build(tables.rules),
      alerts: build(tables.alerts),
      episodes: build(tables.episodes),
      deviceCredentials: build(tables.deviceCredentials),
      devices: build(tables.devices),
      silences: build(tables.silences),
    };
  }
}

function key(definition: KeyDefinition) {
  return {
    name: definition.name,
    type: definition.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
  };
}

/**
 * Records why a function may use `<table>/index/*`: the grant* helpers cover a table's
 * indexes with a wildcard, and the queries need those indexes. The wildcard stays within
 * that one table.
 */
export function acknowledgeIndexAccess(grantee: IFunction, ...granted: Table[]): void {
  const stack = Stack.of(grantee);
  for (const table of granted) {
    const logicalId = stack.getLogicalId(table.node.defaultChild as CfnTable);
    Validations.of(grantee.role ?? grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
      reason: `Queries use the indexes of ${table.node.id}; the wildcard covers that table's indexes only.`,
    });
  }
}
