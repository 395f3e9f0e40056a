import type {
  DefinitionNode,
  DocumentNode,
  FragmentDefinitionNode,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { GraphQLError, Kind, Lexer, Source, TokenKind } from 'graphql';

/** The request limits the endpoint enforces, as AppSync names and bounds them. */
export interface RequestLimits {
  /** Bytes in an HTTP request body; bigger is refused with 413. */
  maxRequestBytes: number;
  /** AppSync's `queryDepthLimit`: nested field levels in an operation; 0 means no limit. */
  queryDepthLimit: number;
  /** AppSync's `resolverCountLimit`: resolver invocations in one request. */
  resolverCountLimit: number;
  /** Subscriptions started on one websocket connection. */
  maxSubscriptionsPerConnection: number;
  /** Bytes in one websocket message; bigger is answered with an error, the connection stays. */
  maxRealtimeMessageBytes: number;
}

/**
 * The defaults, AppSync's own where AppSync publishes one: `queryDepthLimit` is off unless an
 * API sets it (AppSync's default is 0, no limit; it may be set to 1–75); `resolverCountLimit`
 * defaults to 10,000 (settable to 1–10,000); a GraphQL request may be 5 MB; a websocket
 * connection may carry 100 subscriptions. The websocket message size is the endpoint's own
 * bound (256 KiB), above the 240 KB AppSync allows a subscription payload.
 */
export const APPSYNC_LIMITS: Readonly<RequestLimits> = Object.freeze({
  maxRequestBytes: 5 * 1024 * 1024,
  queryDepthLimit: 0,
  resolverCountLimit: 10_000,
  maxSubscriptionsPerConnection: 100,
  maxRealtimeMessageBytes: 256 * 1024,
});

/** AppSync accepts `queryDepthLimit` 1–75 (0 = none) and `resolverCountLimit` 1–10,000 (0 = 10,000). */
const MAX_QUERY_DEPTH_LIMIT = 75;
const MAX_RESOLVER_COUNT_LIMIT = 10_000;

/**
 * Not an AppSync setting: how deeply a query text may nest (braces, brackets, parentheses,
 * and selection sets reached through fragment spreads) before parsing or validating it.
 * graphql-js parses and validates recursively and runs out of stack at one to three thousand
 * levels; this keeps every document far below that, and far above anything the configurable
 * depth limit (at most 75) lets through, so no query text can crash or stall the endpoint.
 */
export const MAX_NESTING = 500;

/** The most tokens one document may have (graphql-js's `parse(…, { maxTokens })`). */
export const MAX_TOKENS = 50_000;

function requireInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}; got ${value}`);
  }
  return value;
}

/**
 * Fills in AppSync's defaults and refuses values AppSync would refuse, at start-up, so a
 * misconfigured local endpoint fails loudly instead of enforcing limits AWS never would.
 */
export function resolveLimits(options: Partial<RequestLimits>): RequestLimits {
  const resolverCount = options.resolverCountLimit ?? APPSYNC_LIMITS.resolverCountLimit;
  return {
    maxRequestBytes: requireInteger(
      'maxRequestBytes',
      options.maxRequestBytes ?? APPSYNC_LIMITS.maxRequestBytes,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    queryDepthLimit: requireInteger(
      'queryDepthLimit',
      options.queryDepthLimit ?? APPSYNC_LIMITS.queryDepthLimit,
      0,
      MAX_QUERY_DEPTH_LIMIT,
    ),
    resolverCountLimit:
      resolverCount === 0
        ? MAX_RESOLVER_COUNT_LIMIT
        : requireInteger('resolverCountLimit', resolverCount, 1, MAX_RESOLVER_COUNT_LIMIT),
    maxSubscriptionsPerConnection: requireInteger(
      'maxSubscriptionsPerConnection',
      options.maxSubscriptionsPerConnection ?? APPSYNC_LIMITS.maxSubscriptionsPerConnection,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    maxRealtimeMessageBytes: requireInteger(
      'maxRealtimeMessageBytes',
      options.maxRealtimeMessageBytes ?? APPSYNC_LIMITS.maxRealtimeMessageBytes,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
  };
}

function tooDeeplyNested(): GraphQLError {
  return new GraphQLError(
    `The query nests more than ${MAX_NESTING} levels deep, more than this endpoint accepts; nest fewer levels.`,
  );
}

/**
 * Refuses a query text that nests too deeply before the recursive parser sees it. Only the
 * lexer runs (strings, block strings and comments are single tokens, so braces inside them
 * do not count); a text the lexer cannot read is left to `parse`, which reports it.
 */
export function checkNesting(query: string): GraphQLError | undefined {
  let lexer: Lexer;
  try {
    lexer = new Lexer(new Source(query));
  } catch {
    return undefined;
  }
  let depth = 0;
  try {
    for (let tokens = 0; tokens <= MAX_TOKENS; tokens++) {
      const token = lexer.advance();
      switch (token.kind) {
        case TokenKind.EOF:
          return undefined;
        case TokenKind.BRACE_L:
        case TokenKind.BRACKET_L:
        case TokenKind.PAREN_L:
          if (++depth > MAX_NESTING) return tooDeeplyNested();
          break;
        case TokenKind.BRACE_R:
        case TokenKind.BRACKET_R:
        case TokenKind.PAREN_R:
          depth--;
          break;
        default:
          break;
      }
    }
  } catch {
    // A syntax error: parse reports it with its location.
  }
  return undefined;
}

/** One definition's own nesting, and where it spreads fragments. */
interface DefinitionShape {
  /** Deepest field level inside the definition itself, ignoring fragment spreads. */
  fieldDepth: number;
  /** Each spread, with the field level it sits at. */
  spreads: Array<{ name: string; level: number }>;
}

/** Walks one definition's selection sets (bounded by {@link checkNesting}, so recursion is safe). */
function shapeOf(selectionSet: SelectionSetNode): DefinitionShape {
  const shape: DefinitionShape = { fieldDepth: 0, spreads: [] };
  const walk = (set: SelectionSetNode, level: number) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        shape.fieldDepth = Math.max(shape.fieldDepth, level + 1);
        if (selection.selectionSet) walk(selection.selectionSet, level + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, level);
      } else {
        shape.spreads.push({ name: selection.name.value, level });
      }
    }
  };
  walk(selectionSet, 0);
  return shape;
}

/** How deep a definition goes with fragments expanded: field levels, and levels plus spread hops. */
interface Depth {
  fields: number;
  nesting: number;
}

function isExecutable(
  definition: DefinitionNode,
): definition is OperationDefinitionNode | FragmentDefinitionNode {
  return (
    definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION
  );
}

/**
 * Measures a parsed document: the field depth of its deepest operation, fragments expanded,
 * as AppSync's `queryDepthLimit` counts it (a root field is level 1), and the deepest nesting
 * of any definition counting each fragment spread as a level, which is what graphql-js's
 * validation recurses on. Fragments are measured once each, without recursion, so a chain of
 * thousands of fragments or a cycle of them (left for validation to refuse) costs linear time
 * and no stack.
 */
function measureDocument(document: DocumentNode): { depth: number; nesting: number } {
  const shapes = new Map<string, DefinitionShape>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !shapes.has(definition.name.value)) {
      shapes.set(definition.name.value, shapeOf(definition.selectionSet));
    }
  }
  const done = new Map<string, Depth>();
  const inProgress = new Set<string>();
  const cursors = new Map<string, number>();
  const fragmentDepth = (root: string): Depth => {
    const stack: string[] = [root];
    while (stack.length > 0) {
      const name = stack[stack.length - 1] as string;
      if (done.has(name)) {
        stack.pop();
        continue;
      }
      const shape = shapes.get(name);
      if (!shape) {
        done.set(name, { fields: 0, nesting: 0 });
        stack.pop();
        continue;
      }
      inProgress.add(name);
      // Resume where this fragment's spreads were left, so each spread is looked at once.
      let next = cursors.get(name) ?? 0;
      while (next < shape.spreads.length) {
        const spread = shape.spreads[next] as { name: string };
        if (!done.has(spread.name) && !inProgress.has(spread.name)) break;
        next++;
      }
      cursors.set(name, next);
      const pending = shape.spreads[next];
      if (pending) {
        stack.push(pending.name);
        continue;
      }
      // Every spread is measured, or is on the current path (a cycle: validation refuses it).
      let fields = shape.fieldDepth;
      let nesting = shape.fieldDepth;
      for (const spread of shape.spreads) {
        const inner = done.get(spread.name) ?? { fields: 0, nesting: 0 };
        fields = Math.max(fields, spread.level + inner.fields);
        nesting = Math.max(nesting, spread.level + 1 + inner.nesting);
      }
      done.set(name, { fields, nesting });
      inProgress.delete(name);
      stack.pop();
    }
    return done.get(root) ?? { fields: 0, nesting: 0 };
  };
  let depth = 0;
  let nesting = 0;
  for (const definition of document.definitions) {
    if (!isExecutable(definition)) continue;
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      nesting = Math.max(nesting, fragmentDepth(definition.name.value).nesting);
      continue;
    }
    const shape = shapeOf(definition.selectionSet);
    let fields = shape.fieldDepth;
    let levels = shape.fieldDepth;
    for (const spread of shape.spreads) {
      const inner = fragmentDepth(spread.name);
      fields = Math.max(fields, spread.level + inner.fields);
      levels = Math.max(levels, spread.level + 1 + inner.nesting);
    }
    depth = Math.max(depth, fields);
    nesting = Math.max(nesting, levels);
  }
  return { depth, nesting };
}

/**
 * Refuses a parsed document before validation and execution when it is deeper than the
 * API's `queryDepthLimit` (as AppSync does when the limit is set), or, limit or not, deeper
 * than the endpoint can validate safely.
 */
export function checkDepth(
  document: DocumentNode,
  queryDepthLimit: number,
): GraphQLError | undefined {
  const { depth, nesting } = measureDocument(document);
  if (nesting > MAX_NESTING) return tooDeeplyNested();
  if (queryDepthLimit > 0 && depth > queryDepthLimit) {
    return new GraphQLError(
      `Query depth ${depth} exceeds the query depth limit of ${queryDepthLimit}; select fewer nested fields.`,
    );
  }
  return undefined;
}

/**
 * Refuses request variables nested more deeply than {@link MAX_NESTING}. JSON.parse reads any
 * depth, but the endpoint copies variables into every resolver event (`info.variables`) and
 * serializes them, which recurses; without this a deeply nested unused variable would fail
 * the request with an InternalFailure instead of a clear refusal. Walks iteratively.
 */
export function checkVariablesNesting(variables: unknown): GraphQLError | undefined {
  const stack: Array<[unknown, number]> = [[variables, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_NESTING) {
      return new GraphQLError(
        `The variables nest more than ${MAX_NESTING} levels deep, more than this endpoint accepts; nest fewer levels.`,
      );
    }
    for (const item of Array.isArray(value) ? value : Object.values(value)) {
      if (item !== null && typeof item === 'object') stack.push([item, depth + 1]);
    }
  }
  return undefined;
}
