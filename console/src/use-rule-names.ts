import { useCallback, useEffect, useState } from 'preact/hooks';
import type { RuleFieldsFragment } from '../../generated/console-operations.ts';
import type { Api } from './api.ts';
import { ruleTitle } from './format.ts';
import { allRules } from './rule-list.ts';

/**
 * The rules, for a page that names them: a matcher on a rule reads as its name, and a form
 * offers them to pick from. Null while they load.
 */
export function useRuleNames(api: Api): {
  rules: RuleFieldsFragment[] | null;
  ruleName(id: string): string | null;
} {
  const [rules, setRules] = useState<RuleFieldsFragment[] | null>(null);
  useEffect(() => {
    // Without the rules, matchers name rules by id: the list is a convenience.
    allRules(api).then(setRules, () => setRules([]));
  }, [api]);
  const ruleName = useCallback(
    (id: string) => {
      const rule = rules?.find((r) => r.id === id);
      return rule ? ruleTitle(rule) : null;
    },
    [rules],
  );
  return { rules, ruleName };
}
