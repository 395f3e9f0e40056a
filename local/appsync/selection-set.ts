import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLResolveInfo,
  SelectionSetNode,
} from 'graphql';
import { Kind, print } from 'graphql';

/** The selection-set description AppSync puts in a resolver event's `info`. */
export interface SelectionSetInfo {
  selectionSetList: string[];
  selectionSetGraphQL: string;
}

const EMPTY: SelectionSetInfo = Object.freeze({
  selectionSetList: [],
  selectionSetGraphQL: '',
}) as SelectionSetInfo;

// Keyed by the field's first AST node: documents are cached, so the same query text reuses the
// same nodes and the walk is done once per document and field.
const cache = new WeakMap<FieldNode, SelectionSetInfo>();

function collect(
  selectionSet: SelectionSetNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  prefix: string,
  out: Set<string>,
  visiting: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = (selection.alias ?? selection.name).value;
      const path = prefix + key;
      out.add(path);
      if (selection.selectionSet) {
        collect(selection.selectionSet, fragments, `${path}/`, out, visiting);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, fragments, prefix, out, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      collect(fragment.selectionSet, fragments, prefix, out, visiting);
      visiting.delete(name);
    }
  }
}

/**
 * Describes the selection below a resolved field as AppSync does in `info.selectionSetList`
 * (response keys, fragments expanded, nested fields as `parent/child`) and
 * `info.selectionSetGraphQL` (the field's selection set printed as written), so direct Lambda
 * resolvers that project their reads on the selection behave as in the cloud.
 */
export function selectionSetInfo(info: GraphQLResolveInfo): SelectionSetInfo {
  const node = info.fieldNodes[0];
  if (!node?.selectionSet) return EMPTY;
  const cached = cache.get(node);
  if (cached) return cached;
  const list = new Set<string>();
  const printed: string[] = [];
  for (const fieldNode of info.fieldNodes) {
    if (!fieldNode.selectionSet) continue;
    collect(fieldNode.selectionSet, info.fragments, '', list, new Set());
    printed.push(print(fieldNode.selectionSet));
  }
  const result: SelectionSetInfo = Object.freeze({
    selectionSetList: [...list],
    selectionSetGraphQL: printed.join('\n'),
  }) as SelectionSetInfo;
  cache.set(node, result);
  return result;
}
