import { randomUUID } from 'node:crypto';
import { callerOf } from '../adapters/appsync-identity.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { rules, work } from '../adapters/wiring/rules.ts';
import { NotFoundError } from '../domain/errors.ts';
import { pageRequest } from '../domain/pagination.ts';
import { applyRuleUpdate, newRule, type Rule } from '../domain/rule.ts';
import { requireId } from '../domain/validation.ts';
import type {
  MutationCreateRuleArgs,
  MutationDeleteRuleArgs,
  MutationSetRuleEnabledArgs,
  MutationUpdateRuleArgs,
  QueryRuleArgs,
  QueryRulesArgs,
} from '../generated/graphql.ts';

const currentTime = () => new Date().toISOString();

/** Saves a changed rule; one that stops firing (disabled) gets its open alerts resolved. */
async function save(before: Rule, after: Rule): Promise<Rule> {
  if (!(await rules.replace(after))) throw new NotFoundError(`No rule with id '${after.id}'`);
  if (before.enabled && !after.enabled) await work.send({ type: 'closeRule', ruleId: after.id });
  return after;
}

async function existingRule(id: string) {
  const rule = await rules.get(requireId(id, 'id'));
  if (!rule) throw new NotFoundError(`No rule with id '${id}'`);
  return rule;
}

/** Rule management: create, change, delete and list alert rules. */
export const handler = appSyncResolver({
  'Mutation.createRule': async ({ input }: MutationCreateRuleArgs, event) => {
    const rule = newRule(input, randomUUID(), currentTime(), callerOf(event.identity).name);
    await rules.create(rule);
    return rule;
  },
  'Mutation.updateRule': async ({ id, input }: MutationUpdateRuleArgs, event) => {
    const { name } = callerOf(event.identity);
    const rule = await existingRule(id);
    return save(rule, applyRuleUpdate(rule, input, currentTime(), name));
  },
  'Mutation.setRuleEnabled': async ({ id, enabled }: MutationSetRuleEnabledArgs, event) => {
    const { name } = callerOf(event.identity);
    const rule = await existingRule(id);
    return rule.enabled === enabled
      ? rule
      : save(rule, applyRuleUpdate(rule, { enabled }, currentTime(), name));
  },
  'Mutation.deleteRule': async ({ id }: MutationDeleteRuleArgs) => {
    if (!(await rules.delete(requireId(id, 'id')))) {
      throw new NotFoundError(`No rule with id '${id}'`);
    }
    await work.send({ type: 'closeRule', ruleId: id });
    return { id, deleted: true };
  },
  'Query.rule': ({ id }: QueryRuleArgs) => rules.get(requireId(id, 'id')),
  'Query.rules': (args: QueryRulesArgs) => {
    const deviceId = args.deviceId == null ? null : requireId(args.deviceId, 'deviceId');
    return rules.list({ deviceId }, pageRequest(args, { rules: deviceId }));
  },
});
