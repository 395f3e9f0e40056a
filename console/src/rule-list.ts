import type { RuleFieldsFragment, RulesQuery } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { rulesQuery } from './operations.ts';

/** Loads every rule, page by page (a thousand or so: written by hand or imported). */
export async function allRules(api: Api): Promise<RuleFieldsFragment[]> {
  const rules: RuleFieldsFragment[] = [];
  let nextToken: string | null = null;
  do {
    const page: RulesQuery = await api.request(rulesQuery, { limit: 1000, nextToken });
    rules.push(...page.rules.items);
    nextToken = page.rules.nextToken;
  } while (nextToken);
  return rules;
}
