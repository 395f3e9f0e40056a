import { randomUUID } from 'node:crypto';
import { callerOf } from '../adapters/appsync-identity.ts';
import { appSyncResolver } from '../adapters/appsync-resolver.ts';
import { refreshMs, rules, work } from '../adapters/wiring/rules.ts';
import { sendTargetChange } from '../domain/target-change.ts';
import { NotFoundError } from '../domain/errors.ts';
import {
  alarmModelMapping,
  parseAlarmModelsJson,
  planImport,
  unusedMappings,
} from '../domain/iot-events.ts';
import { limits } from '../domain/limits.ts';
import { pageRequest } from '../domain/pagination.ts';
import type { WorkMessage } from '../domain/ports.ts';
import { applyRuleUpdate, newRule, type Rule } from '../domain/rule.ts';
import { importRules } from '../domain/rule-import.ts';
import { requireId } from '../domain/validation.ts';
import type {
  MutationCreateRuleArgs,
  MutationDeleteRuleArgs,
  MutationImportAlarmModelsArgs,
  MutationSetRuleEnabledArgs,
  MutationUpdateRuleArgs,
  QueryRuleArgs,
  QueryRulesArgs,
} from '../generated/graphql.ts';

const currentTime = () => new Date().toISOString();

/**
 * Saves a changed rule. One that stops firing (disabled) gets its open alerts resolved; one
 * that keeps firing with a new selector gets those of the devices the selector no longer
 * selects resolved (a rule that drops its selector watches every device: nobody leaves).
 */
async function save(before: Rule, after: Rule): Promise<Rule> {
  if (!(await rules.replace(after))) throw new NotFoundError(`No rule with id '${after.id}'`);
  const message = workAfter(before, after);
  if (message?.type === 'ruleTargetChanged') await sendTargetChange(work, message, refreshMs);
  else if (message) await work.send(message);
  return after;
}

/** What the worker must do about a rule's alerts after a change: nothing, most times. */
export function workAfter(before: Rule, after: Rule): WorkMessage | null {
  if (!after.enabled) return before.enabled ? { type: 'closeRule', ruleId: after.id } : null;
  if (after.selector === null || !before.enabled) return null;
  if (JSON.stringify(before.selector) === JSON.stringify(after.selector)) return null;
  return { type: 'ruleTargetChanged', ruleId: after.id, selector: after.selector };
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
  'Mutation.importAlarmModels': (args: MutationImportAlarmModelsArgs, event) => {
    // AppSync hands an AWSJSON argument over parsed; a string is JSON text still.
    const models: unknown =
      typeof args.models === 'string' ? parseAlarmModelsJson(args.models, 'models') : args.models;
    const mapping = alarmModelMapping(args.metrics, args.severities);
    const plans = planImport(models, mapping, limits.maxAlarmModelsPerImport);
    return importRules(plans, rules, {
      dryRun: args.dryRun ?? false,
      at: currentTime(),
      by: callerOf(event.identity).name,
      warnings: unusedMappings(plans, mapping),
    });
  },
  'Query.rule': ({ id }: QueryRuleArgs) => rules.get(requireId(id, 'id')),
  'Query.rules': (args: QueryRulesArgs) => {
    const deviceId = args.deviceId == null ? null : requireId(args.deviceId, 'deviceId');
    return rules.list({ deviceId }, pageRequest(args, { rules: deviceId }));
  },
});
