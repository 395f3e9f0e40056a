import type { ImportedModel, ImportReport } from '../generated/graphql.ts';
import { ValidationError } from './errors.ts';
import type { ModelPlan, PlannedRule } from './iot-events.ts';
import type { RuleStore } from './ports.ts';
import { applyRuleUpdate, newRule, type Rule } from './rule.ts';

/** What an import reads and writes of the rules. */
export type ImportRuleStore = Pick<RuleStore, 'getMany' | 'create' | 'replace'>;

export interface ImportRun {
  /** Reads the rules, writes none: the report says what an import would do. */
  dryRun: boolean;
  /** The time of the import, as an AWSDateTime. */
  at: string;
  /** Who imports (domain/caller.ts); null for the command line. */
  by: string | null;
  /** Said of the import as a whole, e.g. mappings no model used (unusedMappings). */
  warnings?: string[];
  /** Models read and written at once: 1,000 models one after the other take seconds. */
  concurrency?: number;
}

/** Enough writes at once to hide the store's latency, few enough not to be throttled. */
const DEFAULT_CONCURRENCY = 25;
/** Models whose rules are read together (in batches of 100) before theirs are written. */
const READ_SLICE = 1000;

/**
 * Makes or updates the rule of every model planned (domain/iot-events.ts), and reports each
 * model's outcome. A model's rule is found by its id, `iot-events:<name>`: absent, it is
 * created (disabled when the model says so); present, the model's fields replace the rule's
 * (its enabled state and anything the model does not say stay as they are), or, when they
 * are the same, nothing is written. An import is idempotent: after a failure midway, run it
 * again.
 */
export async function importRules(
  plans: readonly ModelPlan[],
  store: ImportRuleStore,
  run: ImportRun,
): Promise<ImportReport> {
  const models: ImportedModel[] = [];
  for (let start = 0; start < plans.length; start += READ_SLICE) {
    const slice = plans.slice(start, start + READ_SLICE);
    const ids = slice.flatMap((plan) => (plan.rule ? [plan.rule.id] : []));
    const existing = ids.length > 0 ? await store.getMany(ids) : new Map<string, Rule>();
    models.push(
      ...(await inParallel(slice, run.concurrency ?? DEFAULT_CONCURRENCY, (plan) =>
        importOne(plan, existing.get(plan.rule?.id ?? '') ?? null, store, run),
      )),
    );
  }
  const count = (outcome: ImportedModel['outcome']) =>
    models.filter((model) => model.outcome === outcome).length;
  return {
    dryRun: run.dryRun,
    created: count('CREATED'),
    updated: count('UPDATED'),
    unchanged: count('UNCHANGED'),
    refused: count('REFUSED'),
    warnings: run.warnings ?? [],
    models,
  };
}

async function importOne(
  plan: ModelPlan,
  existing: Rule | null,
  store: ImportRuleStore,
  run: ImportRun,
): Promise<ImportedModel> {
  const reported = (outcome: ImportedModel['outcome'], extra: Partial<ImportedModel> = {}) => ({
    index: plan.index,
    name: plan.name,
    version: plan.version,
    outcome,
    ruleId: plan.rule?.id ?? null,
    reasons: plan.reasons,
    toConfigure: plan.toConfigure,
    notes: plan.notes,
    ignored: plan.ignored,
    ...extra,
  });
  const planned = plan.rule;
  if (planned === null) return reported('REFUSED', { ruleId: null });
  try {
    if (existing === null) {
      if (!run.dryRun && !(await createdFirst(created(planned, run), store))) {
        return reported('REFUSED', {
          ruleId: null,
          reasons: [
            `its rule ${planned.id} was created by another import at the same time: import again to update it`,
          ],
        });
      }
      return reported('CREATED');
    }
    const rule = updated(existing, planned, run);
    const notes = planned.input.enabled
      ? plan.notes
      : [
          ...plan.notes.filter((note) => !note.startsWith('disabledOnInitialization')),
          `disabledOnInitialization applies to a new rule only: the rule stays ${existing.enabled ? 'enabled' : 'disabled'}`,
        ];
    if (sameModel(existing, rule)) return reported('UNCHANGED', { notes });
    if (!run.dryRun && !(await store.replace(rule))) {
      // Deleted since it was read: made anew.
      await store.create(created(planned, run));
      return reported('CREATED');
    }
    return reported('UPDATED', { notes });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // The model is valid on its own: what it clashes with is an option set on its rule since.
    const reason =
      existing === null
        ? error.message
        : `its rule ${planned.id} has options set since it was imported that this model cannot take (${error.message}): change them on the rule, or delete it, and import again`;
    return reported('REFUSED', { ruleId: null, reasons: [...plan.reasons, reason] });
  }
}

/**
 * Creates the rule; false when another import created it since it was read (the store
 * refuses a second rule of one id).
 */
async function createdFirst(rule: Rule, store: ImportRuleStore): Promise<boolean> {
  try {
    await store.create(rule);
    return true;
  } catch (error) {
    if ((await store.getMany([rule.id])).has(rule.id)) return false;
    throw error;
  }
}

function created(planned: PlannedRule, run: ImportRun): Rule {
  return { ...newRule(planned.input, planned.id, run.at, run.by), source: planned.source };
}

function updated(existing: Rule, planned: PlannedRule, run: ImportRun): Rule {
  const { metric, operator, threshold, severity, name, description, latch } = planned.input;
  const change = { metric, operator, threshold, severity, name, description, latch };
  return {
    ...applyRuleUpdate(existing, change, run.at, run.by),
    source: planned.source,
  };
}

/** True when the rule already says what the model says: nothing to write. */
function sameModel(existing: Rule, rule: Rule): boolean {
  const fields = [
    'metric',
    'operator',
    'threshold',
    'severity',
    'name',
    'description',
    'latch',
  ] as const;
  return (
    fields.every((field) => existing[field] === rule[field]) &&
    existing.source?.kind === rule.source?.kind &&
    existing.source?.name === rule.source?.name &&
    (existing.source?.version ?? null) === (rule.source?.version ?? null)
  );
}

/** `work` over every item, at most `limit` at once, results in the items' order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await work(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
