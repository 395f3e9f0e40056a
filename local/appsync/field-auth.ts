import type {
  ConstDirectiveNode,
  DocumentNode,
  GraphQLField,
  GraphQLObjectType,
  GraphQLSchema,
} from 'graphql';
import { isObjectType, Kind, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { AuthMode, Caller } from './auth.ts';

const DIRECTIVE_MODES: Readonly<Record<string, AuthMode>> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
  aws_lambda: 'AWS_LAMBDA',
};

/** Who may use one field, from its AppSync auth directives (or its type's, or the default mode). */
export interface FieldAuthRule {
  modes: ReadonlySet<AuthMode>;
  /**
   * The user-pool groups admitted (`cognito_groups`); undefined: every signed-in user of the
   * pool, as a Cognito directive without groups, or the default mode without any directive.
   */
  cognitoGroups?: ReadonlySet<string>;
}

function cognitoGroupsOf(directive: ConstDirectiveNode): string[] | undefined {
  const argument = directive.arguments?.find((a) => a.name.value === 'cognito_groups');
  if (!argument) return undefined;
  const { value } = argument;
  const items = value.kind === Kind.LIST ? value.values : [value];
  return items.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
}

function ruleOf(directives: ReadonlyArray<ConstDirectiveNode>): FieldAuthRule | undefined {
  let modes: Set<AuthMode> | undefined;
  let groups: Set<string> | undefined;
  let anyUser = false;
  for (const directive of directives) {
    const mode = DIRECTIVE_MODES[directive.name.value];
    if (!mode) continue;
    modes ??= new Set();
    modes.add(mode);
    if (mode !== 'AMAZON_COGNITO_USER_POOLS') continue;
    const listed = cognitoGroupsOf(directive);
    if (listed === undefined) anyUser = true;
    else for (const group of listed) (groups ??= new Set()).add(group);
  }
  if (!modes) return undefined;
  return anyUser || !groups ? { modes } : { modes, cognitoGroups: groups };
}

function typeRule(type: GraphQLObjectType): FieldAuthRule | undefined {
  return ruleOf([
    ...(type.astNode?.directives ?? []),
    ...type.extensionASTNodes.flatMap((node) => node.directives ?? []),
  ]);
}

/**
 * Who may use one field, by AppSync's rules: the field's own auth directives if it has any,
 * else its type's, else the API's default mode (for Cognito: any user of the pool). A type or
 * field with any auth directive admits only the modes it lists.
 */
export function fieldAuthRule(
  type: GraphQLObjectType,
  field: GraphQLField<unknown, unknown>,
  defaultMode: AuthMode,
): FieldAuthRule {
  return (
    ruleOf(field.astNode?.directives ?? []) ?? typeRule(type) ?? { modes: new Set([defaultMode]) }
  );
}

/**
 * Whether a caller may use a field: its mode is listed, a user-pool caller is in one of the
 * listed groups (if any are), and a Lambda-authorized caller's `deniedFields` do not name it.
 * The one rule the HTTP resolvers and the real-time `start` both apply.
 */
export function admits(
  rule: FieldAuthRule,
  caller: Caller,
  typeName: string,
  fieldName: string,
): boolean {
  if (!rule.modes.has(caller.mode)) return false;
  if (caller.mode === 'AMAZON_COGNITO_USER_POOLS') {
    const required = rule.cognitoGroups;
    return !required || (caller.identity.groups ?? []).some((group) => required.has(group));
  }
  if (caller.mode === 'AWS_LAMBDA') return !caller.deniedFields.has(`${typeName}.${fieldName}`);
  return true;
}

/** What about a caller decides which fields it may use: subscribers alike share a payload. */
export function callerAuthKey(caller: Caller): string {
  if (caller.mode === 'AMAZON_COGNITO_USER_POOLS') {
    return `${caller.mode}:${[...(caller.identity.groups ?? [])].sort().join(',')}`;
  }
  if (caller.mode === 'AWS_LAMBDA') {
    return `${caller.mode}:${[...caller.deniedFields].sort().join(',')}`;
  }
  return caller.mode;
}

/** A field a caller may not use. */
export interface DeniedField {
  typeName: string;
  fieldName: string;
}

/** The auth rule of each object field, by `Type.field`, worked out once per schema. */
export type FieldAuthRules = ReadonlyMap<string, FieldAuthRule>;

/** Works out every object field's auth rule once, for a schema and its default mode. */
export function buildFieldAuthRules(schema: GraphQLSchema, defaultMode: AuthMode): FieldAuthRules {
  const rules = new Map<string, FieldAuthRule>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      rules.set(`${type.name}.${field.name}`, fieldAuthRule(type, field, defaultMode));
    }
  }
  return rules;
}

/**
 * Finds the first field of a document that a caller may not use. Subscriptions are
 * authorized when they start (AppSync refuses the `start` rather than sending nulls later).
 */
export function findDeniedField(
  schema: GraphQLSchema,
  rules: FieldAuthRules,
  document: DocumentNode,
  caller: Caller,
): DeniedField | undefined {
  const typeInfo = new TypeInfo(schema);
  let denied: DeniedField | undefined;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        if (denied) return false;
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!isObjectType(parent) || !field || node.name.value.startsWith('__')) return undefined;
        const rule = rules.get(`${parent.name}.${field.name}`);
        if (rule && !admits(rule, caller, parent.name, field.name)) {
          denied = { typeName: parent.name, fieldName: field.name };
          return false;
        }
        return undefined;
      },
    }),
  );
  return denied;
}
