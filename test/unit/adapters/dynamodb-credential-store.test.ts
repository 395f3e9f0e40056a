import type { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbCredentialStore } from '../../../adapters/dynamodb-credential-store.ts';
import { touchAttributes } from '../../../infra/resources.ts';

/** A document client that records what it is sent and answers with nothing. */
function recordingClient() {
  const sent: UpdateCommand[] = [];
  const client = {
    async send(command: UpdateCommand) {
      sent.push(command);
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

const EXPRESSION_WORDS = new Set([
  'SET',
  'REMOVE',
  'AND',
  'OR',
  'NOT',
  'attribute_exists',
  'attribute_not_exists',
  'if_not_exists',
]);

/** Every attribute an update names: its key, its expressions' names and placeholders' names. */
function attributesNamed(input: UpdateCommand['input']): string[] {
  const expressions = [input.UpdateExpression, input.ConditionExpression].join(' ');
  const words = [...expressions.matchAll(/(?<![:#\w])[A-Za-z_]\w*/g)].map(([word]) => word);
  return [
    ...new Set([
      ...Object.keys(input.Key ?? {}),
      ...words.filter((word) => !EXPRESSION_WORDS.has(word)),
      ...Object.values(input.ExpressionAttributeNames ?? {}),
    ]),
  ].sort();
}

describe("the credential store's touch", () => {
  it("given a use recorded, then the update names only the attributes the authorizer's policy allows and asks for nothing back", async () => {
    // Prepare
    const { client, sent } = recordingClient();
    const store = new DynamoDbCredentialStore(client, 'DeviceCredentials');

    // Act
    await store.touch('0123456789abcdef0123456789abcdef', '2026-05-01T13:00:00.000Z', 60);

    // Assess
    expect(sent).toHaveLength(1);
    const input = sent[0]!.input;
    expect(attributesNamed(input)).toEqual([...touchAttributes].sort());
    // dynamodb:ReturnValues must be NONE when present (StringEqualsIfExists in the policy).
    expect(input.ReturnValues ?? 'NONE').toBe('NONE');
  });
});
