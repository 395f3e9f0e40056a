import { randomUUID } from 'node:crypto';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { dynamodb } from '../adapters/aws-clients.ts';
import { DynamoDbRuleStore } from '../adapters/dynamodb-rule-store.ts';
import { requireEnv } from '../adapters/environment.ts';
import { NotFoundError } from '../domain/errors.ts';
import { pageRequest } from '../domain/pagination.ts';
import { applyRuleUpdate, newRule } from '../domain/rule.ts';
import { requireId } from '../domain/validation.ts';
import type {
  MutationCreateRuleArgs,
  MutationDeleteRuleArgs,
  MutationUpdateRuleArgs,
  QueryRuleArgs,
  QueryRulesArgs,
} from '../generated/graphql.ts';
import { tables } from '../infra/resources.ts';

const rules = new DynamoDbRuleStore(dynamodb, requireEnv(tables.rules.envVar));
const now = () => new Date().toISOString();

async function existingRule(id: string) {
  const rule = await rules.get(requireId(id, 'id'));
  if (!rule) throw new NotFoundError(`No rule with id '${id}'`);
  return rule;
}

/** Rule management: create, change, delete and list alert rules. */
export const handler = appSyncResolver({
  'Mutation.createRule': async ({ input }: MutationCreateRuleArgs) => {
    const rule = newRule(input, randomUUID(), now());
    await rules.create(rule);
    return rule;
  },
  'Mutation.updateRule': async ({ id, input }: MutationUpdateRuleArgs) => {
    const updated = applyRuleUpdate(await existingRule(id), input, now());
    if (!(await rules.replace(updated))) throw new NotFoundError(`No rule with id '${id}'`);
    return updated;
  },
  'Mutation.deleteRule': async ({ id }: MutationDeleteRuleArgs) => {
    if (!(await rules.delete(requireId(id, 'id'))))
      throw new NotFoundError(`No rule with id '${id}'`);
    return { id, deleted: true };
  },
  'Query.rule': ({ id }: QueryRuleArgs) => rules.get(requireId(id, 'id')),
  'Query.rules': (args: QueryRulesArgs) => {
    const deviceId = args.deviceId == null ? null : requireId(args.deviceId, 'deviceId');
    return rules.list({ deviceId }, pageRequest(args, { rules: deviceId }));
  },
});
