import type {
  DocumentNode,
  ExecutionResult,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { execute, Kind } from 'graphql';
import type { Caller } from './auth.ts';
import { formatExecutionError } from './appsync-errors.ts';
import type { Logger, ResolverContext } from './schema.ts';

/** One subscription started on a realtime connection. */
export interface ActiveSubscription {
  readonly id: string;
  /** The Subscription field it selects, e.g. "onAlert". */
  readonly fieldName: string;
  /** Non-null arguments the subscriber passed; each must equal the published field. */
  readonly filter: ReadonlyArray<readonly [string, unknown]>;
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  readonly variables: Record<string, unknown>;
  readonly caller: Caller;
  /** Subscriptions with the same key get the same payload for the same event. */
  readonly shapeKey: string;
  /** Sends a `data` frame's payload (a JSON text) to the subscriber. */
  deliver(payloadJson: string): void;
}

/** Fans mutation results out to the subscriptions their `@aws_subscribe` names. */
export interface SubscriptionRegistry {
  add(subscription: ActiveSubscription): void;
  remove(subscription: ActiveSubscription): void;
  /** Whether any subscription listens to this mutation field (cheap; checked per request). */
  hasListeners(mutationField: string): boolean;
  /** Delivers the subscribed root fields of an executed mutation to matching subscribers. */
  publishMutation(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    data: Readonly<Record<string, unknown>>,
  ): void;
  readonly size: number;
}

interface PublishedField {
  responseKey: string;
  fieldName: string;
  selectionSets: SelectionSetNode[];
}

type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

function fragmentsOf(document: DocumentNode): Fragments {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/** Groups the fields of selection sets by response key, fragments expanded. */
function fieldsByResponseKey(
  selectionSets: readonly SelectionSetNode[],
  fragments: Fragments,
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visit = (selectionSet: SelectionSetNode, seen: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = (selection.alias ?? selection.name).value;
        const list = fields.get(key);
        if (list) list.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, seen);
      } else {
        const fragment = fragments[selection.name.value];
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          visit(fragment.selectionSet, seen);
        }
      }
    }
  };
  for (const selectionSet of selectionSets) visit(selectionSet, new Set());
  return fields;
}

/**
 * Turns a mutation's response value back into a source object keyed by field name (undoing
 * aliases), keeping only what the mutation selected: AppSync hands subscribers exactly the
 * mutation's selection, so anything else reads as null.
 */
function toSource(
  value: unknown,
  selectionSets: readonly SelectionSetNode[],
  fragments: Fragments,
): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => toSource(item, selectionSets, fragments));
  if (typeof value !== 'object' || selectionSets.length === 0) return value;
  const record = value as Record<string, unknown>;
  const source: Record<string, unknown> = {};
  for (const [key, nodes] of fieldsByResponseKey(selectionSets, fragments)) {
    const name = nodes[0]?.name.value ?? key;
    if (!(key in record)) continue;
    const subSelections = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
    source[name] = toSource(record[key], subSelections, fragments);
  }
  return source;
}

function matches(filter: ActiveSubscription['filter'], source: unknown): boolean {
  if (filter.length === 0) return true;
  if (source === null || typeof source !== 'object') return false;
  const record = source as Record<string, unknown>;
  for (const [name, expected] of filter) {
    const actual = record[name];
    if (actual === expected) continue;
    if (typeof expected !== 'object' || JSON.stringify(actual) !== JSON.stringify(expected)) {
      return false;
    }
  }
  return true;
}

/**
 * Creates the in-memory subscription registry: the local stand-in for AppSync's pub/sub, which
 * pushes a mutation's result to every subscription whose arguments match it.
 */
export function createSubscriptionRegistry(options: {
  schema: GraphQLSchema;
  subscriptionsByMutation: ReadonlyMap<string, readonly string[]>;
  logger: Logger;
}): SubscriptionRegistry {
  const { schema, subscriptionsByMutation, logger } = options;
  const byField = new Map<string, Set<ActiveSubscription>>();
  const plans = new WeakMap<OperationDefinitionNode, PublishedField[]>();
  let size = 0;

  const planFor = (document: DocumentNode, operation: OperationDefinitionNode) => {
    let plan = plans.get(operation);
    if (plan) return plan;
    plan = [];
    const fields = fieldsByResponseKey([operation.selectionSet], fragmentsOf(document));
    for (const [responseKey, nodes] of fields) {
      const fieldName = nodes[0]?.name.value ?? responseKey;
      if (!subscriptionsByMutation.has(fieldName)) continue;
      const selectionSets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      plan.push({ responseKey, fieldName, selectionSets });
    }
    plans.set(operation, plan);
    return plan;
  };

  const render = (subscription: ActiveSubscription, source: unknown): string | undefined => {
    const contextValue: ResolverContext = {
      caller: subscription.caller,
      headers: {},
      variables: subscription.variables,
    };
    const result = execute({
      schema,
      document: subscription.document,
      operationName: subscription.operationName,
      rootValue: { [subscription.fieldName]: source },
      contextValue,
      variableValues: subscription.variables,
    }) as ExecutionResult | Promise<ExecutionResult>;
    if (result instanceof Promise) {
      // Subscription selections resolve synchronously (no Lambda on nested fields); never wait.
      logger.warn('Subscription selection resolved asynchronously; event dropped', {
        field: subscription.fieldName,
      });
      return undefined;
    }
    const payload: Record<string, unknown> = { data: result.data ?? null };
    if (result.errors?.length) {
      payload.errors = result.errors.map((error) => formatExecutionError(error, schema));
    }
    return JSON.stringify(payload);
  };

  const publish = (subscriptionField: string, source: unknown) => {
    const subscribers = byField.get(subscriptionField);
    if (!subscribers || subscribers.size === 0) return;
    const rendered = new Map<string, string | undefined>();
    for (const subscription of [...subscribers]) {
      try {
        if (!matches(subscription.filter, source)) continue;
        let payload = rendered.get(subscription.shapeKey);
        if (payload === undefined && !rendered.has(subscription.shapeKey)) {
          payload = render(subscription, source);
          rendered.set(subscription.shapeKey, payload);
        }
        if (payload !== undefined) subscription.deliver(payload);
      } catch (error) {
        logger.error('Delivering a subscription event failed', {
          field: subscriptionField,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };

  const hasListeners = (mutationField: string) => {
    const fields = subscriptionsByMutation.get(mutationField);
    return fields?.some((field) => (byField.get(field)?.size ?? 0) > 0) ?? false;
  };

  return {
    add(subscription) {
      let set = byField.get(subscription.fieldName);
      if (!set) {
        set = new Set();
        byField.set(subscription.fieldName, set);
      }
      if (!set.has(subscription)) {
        set.add(subscription);
        size++;
      }
    },
    remove(subscription) {
      if (byField.get(subscription.fieldName)?.delete(subscription)) size--;
    },
    hasListeners,
    publishMutation(document, operation, data) {
      const plan = planFor(document, operation);
      for (const published of plan) {
        const value = data[published.responseKey];
        if (value === null || value === undefined) continue;
        if (!hasListeners(published.fieldName)) continue;
        const source = toSource(value, published.selectionSets, fragmentsOf(document));
        for (const field of subscriptionsByMutation.get(published.fieldName) ?? []) {
          publish(field, source);
        }
      }
    },
    get size() {
      return size;
    },
  };
}
