import type { AttributeValue, TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { TableDefinition } from '../../../infra/resources.ts';
import { itemRefused, tableChange } from '../../../local/table-changes.ts';

/** A table with a key, a sort key and one index copying two attributes. */
const definition: TableDefinition = {
  id: 'Rules',
  envVar: 'RULES_TABLE',
  partitionKey: { name: 'id', type: 'S' },
  sortKey: { name: 'version', type: 'N' },
  globalSecondaryIndexes: [
    {
      indexName: 'all',
      partitionKey: { name: 'kind', type: 'S' },
      sortKey: { name: 'createdKey', type: 'S' },
      nonKeyAttributes: ['name', 'metric'],
    },
  ],
};

/** The table as DescribeTable shows one made from `definition`. */
const described = (): TableDescription => ({
  TableName: 'Rules',
  AttributeDefinitions: [
    { AttributeName: 'id', AttributeType: 'S' },
    { AttributeName: 'version', AttributeType: 'N' },
    { AttributeName: 'kind', AttributeType: 'S' },
    { AttributeName: 'createdKey', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'id', KeyType: 'HASH' },
    { AttributeName: 'version', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'all',
      KeySchema: [
        { AttributeName: 'kind', KeyType: 'HASH' },
        { AttributeName: 'createdKey', KeyType: 'RANGE' },
      ],
      // DynamoDB may list the copied attributes in another order.
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['metric', 'name'] },
    },
  ],
});

describe('a table kept from an earlier start, against its definition', () => {
  it('given the same keys and indexes, then nothing changes', () => {
    expect(tableChange(described(), definition)).toEqual({ kind: 'none' });
  });

  it('given an index the definition added, then the table is rebuilt, saying which', () => {
    const kept = { ...described(), GlobalSecondaryIndexes: [] };

    const change = tableChange(kept, definition);

    expect(change.kind).toBe('rebuild');
    expect(change).toMatchObject({ reason: expect.stringContaining('index all on kind (S)') });
    expect(change).toMatchObject({ reason: expect.stringContaining('added') });
  });

  it('given an index that copies other attributes, then the table is rebuilt', () => {
    const kept = described();
    kept.GlobalSecondaryIndexes = [
      { ...kept.GlobalSecondaryIndexes?.[0], Projection: { ProjectionType: 'ALL' } },
    ];

    expect(tableChange(kept, definition).kind).toBe('rebuild');
  });

  it('given an index of the same name on another sort key, then the table is rebuilt', () => {
    const kept = described();
    kept.AttributeDefinitions?.push({ AttributeName: 'firedKey', AttributeType: 'S' });
    kept.GlobalSecondaryIndexes = [
      {
        ...kept.GlobalSecondaryIndexes?.[0],
        KeySchema: [
          { AttributeName: 'kind', KeyType: 'HASH' },
          { AttributeName: 'firedKey', KeyType: 'RANGE' },
        ],
      },
    ];

    const change = tableChange(kept, definition);

    expect(change.kind).toBe('rebuild');
    expect(change).toMatchObject({ reason: expect.stringContaining('firedKey (S)') });
  });

  it('given an index the definition no longer has, then the table is rebuilt without it', () => {
    const change = tableChange(described(), { ...definition, globalSecondaryIndexes: [] });

    expect(change.kind).toBe('rebuild');
    expect(change).toMatchObject({ reason: expect.stringContaining('removed') });
  });

  it('given another key, then the table cannot be kept, and the reason shows both keys', () => {
    const change = tableChange(described(), { ...definition, sortKey: undefined });

    expect(change).toEqual({
      kind: 'replace',
      reason: 'the key id (S) + version (N), where its definition has id (S)',
    });
  });

  it('given a key of another type, then the table cannot be kept', () => {
    const change = tableChange(described(), {
      ...definition,
      sortKey: { name: 'version', type: 'S' },
    });

    expect(change.kind).toBe('replace');
  });

  it('given a description with no key at all (a bad answer), then the table cannot be kept rather than be taken as matching', () => {
    const kept = { ...described(), KeySchema: undefined };

    expect(tableChange(kept, definition).kind).toBe('replace');
  });
});

describe('items a rebuilt table would refuse', () => {
  it('given items whose index keys have the index’s types, or none, then none is refused', () => {
    const items: Record<string, AttributeValue>[] = [
      { id: { S: 'r1' }, version: { N: '1' }, kind: { S: 'rule' }, createdKey: { S: 'k' } },
      { id: { S: 'r2' }, version: { N: '1' } },
    ];

    expect(itemRefused(items, definition)).toBeUndefined();
  });

  it('given an item whose index key is a number where the index wants text, then it is the one refused', () => {
    const bad = { id: { S: 'r3' }, version: { N: '1' }, kind: { N: '7' } };

    expect(itemRefused([{ id: { S: 'r1' }, version: { N: '1' } }, bad], definition)).toEqual({
      item: bad,
      attribute: 'kind',
    });
  });
});
