import type {
  ConstDirectiveNode,
  DocumentNode,
  GraphQLField,
  GraphQLObjectType,
  GraphQLSchema,
} from 'graphql';
import { isObjectType, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import type { AuthMode } from './auth.ts';

const DIRECTIVE_MODES: Readonly<Record<string, AuthMode>> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
  aws_lambda: 'AWS_LAMBDA',
};

/** The API's default authorization mode: a type or field without auth directives allows it only. */
export const DEFAULT_AUTH_MODE: AuthMode = 'API_KEY';

function modesOf(directives: ReadonlyArray<ConstDirectiveNode>): Set<AuthMode> | undefined {
  let modes: Set<AuthMode> | undefined;
  for (const directive of directives) {
    const mode = DIRECTIVE_MODES[directive.name.value];
    if (!mode) continue;
    modes ??= new Set();
    modes.add(mode);
  }
  return modes;
}

function typeModes(type: GraphQLObjectType): Set<AuthMode> | undefined {
  const directives = [
    ...(type.astNode?.directives ?? []),
    ...type.extensionASTNodes.flatMap((node) => node.directives ?? []),
  ];
  return modesOf(directives);
}

/**
 * The auth modes allowed to read one field, by AppSync's rules: the field's own auth directives
 * if it has any, else its type's, else the API's default mode.
 */
export function allowedModes(
  type: GraphQLObjectType,
  field: GraphQLField<unknown, unknown>,
): ReadonlySet<AuthMode> {
  return (
    modesOf(field.astNode?.directives ?? []) ?? typeModes(type) ?? new Set([DEFAULT_AUTH_MODE])
  );
}

/** A field a caller may not read. */
export interface DeniedField {
  typeName: string;
  fieldName: string;
}

/**
 * Finds the first field of a document that an auth mode may not read. Subscriptions are
 * authorized when they start (AppSync refuses the `start` rather than sending nulls later).
 */
export function findDeniedField(
  schema: GraphQLSchema,
  document: DocumentNode,
  mode: AuthMode,
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
        if (!allowedModes(parent, field).has(mode)) {
          denied = { typeName: parent.name, fieldName: field.name };
          return false;
        }
        return undefined;
      },
    }),
  );
  return denied;
}
