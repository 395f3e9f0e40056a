import { readFileSync } from 'node:fs';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../../local/appsync/auth.ts';
import {
  admits,
  buildFieldAuthRules,
  callerAuthKey,
  findDeniedField,
} from '../../../../local/appsync/field-auth.ts';

const DIRECTIVES = readFileSync(new URL('../../../../appsync.graphql', import.meta.url), 'utf8');
const PRODUCT = buildSchema(
  DIRECTIVES + readFileSync(new URL('../../../../schema.graphql', import.meta.url), 'utf8'),
);
const RULES = buildFieldAuthRules(PRODUCT, 'AMAZON_COGNITO_USER_POOLS');

function user(groups: string[] | null): Caller {
  return {
    mode: 'AMAZON_COGNITO_USER_POOLS',
    identity: {
      sub: 's',
      issuer: 'i',
      username: 'u',
      claims: {},
      sourceIp: ['127.0.0.1'],
      defaultAuthStrategy: 'ALLOW',
      groups,
    },
  };
}

function device(deniedFields: string[] = []): Caller {
  return {
    mode: 'AWS_LAMBDA',
    identity: { resolverContext: {} },
    deniedFields: new Set(deniedFields),
  };
}

const IAM: Caller = {
  mode: 'AWS_IAM',
  identity: {
    accountId: '1',
    accessKey: 'k',
    cognitoIdentityPoolId: null,
    cognitoIdentityId: null,
    cognitoIdentityAuthType: null,
    cognitoIdentityAuthProvider: null,
    sourceIp: [],
    userArn: 'arn',
    username: 'u',
  },
};

function may(caller: Caller, key: string): boolean {
  const rule = RULES.get(key);
  if (!rule) throw new Error(`no rule for ${key}`);
  const [typeName = '', fieldName = ''] = key.split('.');
  return admits(rule, caller, typeName, fieldName);
}

describe('field rules from the product schema\u2019s directives', () => {
  it('given a field without directives on a type without directives, then every user of the pool may use it, and no other mode', () => {
    for (const groups of [null, ['viewers'], ['admins']]) {
      expect(may(user(groups), 'Query.rules')).toBe(true);
    }
    expect(may(device(), 'Query.rules')).toBe(false);
    expect(may(IAM, 'Query.rules')).toBe(false);
    expect(may(device(), 'Rule.metric')).toBe(false);
  });

  it('given cognito_groups ["admins", "operators"], then only users in one of them may use it', () => {
    expect(may(user(['operators']), 'Mutation.createRule')).toBe(true);
    expect(may(user(['viewers', 'admins']), 'Mutation.createRule')).toBe(true);
    expect(may(user(['viewers']), 'Mutation.createRule')).toBe(false);
    expect(may(user(null), 'Mutation.createRule')).toBe(false);
    expect(may(user(['Admins']), 'Mutation.createRule')).toBe(false);
  });

  it('given ingest (@aws_lambda @aws_iam and admins), then devices, IAM and admins may, operators may not', () => {
    expect(may(device(), 'Mutation.ingestEvent')).toBe(true);
    expect(may(IAM, 'Mutation.ingestEvents')).toBe(true);
    expect(may(user(['admins']), 'Mutation.ingestEvent')).toBe(true);
    expect(may(user(['operators']), 'Mutation.ingestEvent')).toBe(false);
  });

  it('given a type with directives (Event), then its fields admit the modes it lists, any user of the pool among them', () => {
    expect(may(device(), 'Event.value')).toBe(true);
    expect(may(user(['viewers']), 'Event.value')).toBe(true);
    expect(may(IAM, 'Alert.id')).toBe(true);
    expect(may(device(), 'Alert.id')).toBe(false);
  });

  it('given a device whose authorizer denied a field, then that field is refused and the others are not', () => {
    const scoped = device(['Mutation.ingestEvents', 'Event.value']);
    expect(may(scoped, 'Mutation.ingestEvents')).toBe(false);
    expect(may(scoped, 'Event.value')).toBe(false);
    expect(may(scoped, 'Mutation.ingestEvent')).toBe(true);
  });

  it('given publishAlert (@aws_iam only), then no user, not even an admin, may call it', () => {
    expect(may(IAM, 'Mutation.publishAlert')).toBe(true);
    expect(may(user(['admins']), 'Mutation.publishAlert')).toBe(false);
  });
});

describe('findDeniedField: what a subscription start or a document may not select', () => {
  const SDL = `${DIRECTIVES}
    type Reading @aws_lambda @aws_cognito_user_pools { id: ID! secret: String @aws_cognito_user_pools(cognito_groups: ["admins"]) }
    type Query { reading: Reading @aws_lambda @aws_cognito_user_pools }
    type Mutation { publish(id: ID!): Reading @aws_iam }
    type Subscription {
      onReading: Reading @aws_subscribe(mutations: ["publish"]) @aws_lambda @aws_cognito_user_pools
      onAudit: Reading @aws_subscribe(mutations: ["publish"]) @aws_auth(cognito_groups: ["admins"])
    }`;
  const schema = buildSchema(SDL);
  const rules = buildFieldAuthRules(schema, 'AMAZON_COGNITO_USER_POOLS');
  const denied = (caller: Caller, query: string) =>
    findDeniedField(schema, rules, parse(query), caller);

  it('given a viewer, then a nested field for admins only is found, through fragments too', () => {
    expect(denied(user(['viewers']), 'subscription { onReading { id secret } }')).toEqual({
      typeName: 'Reading',
      fieldName: 'secret',
    });
    expect(
      denied(user(null), 'subscription { onReading { ...R } } fragment R on Reading { id secret }'),
    ).toEqual({ typeName: 'Reading', fieldName: 'secret' });
    expect(denied(user(['admins']), 'subscription { onReading { id secret } }')).toBeUndefined();
  });

  it('given @aws_auth(cognito_groups), then it admits those groups of the pool only', () => {
    expect(denied(user(['viewers']), 'subscription { onAudit { id } }')).toEqual({
      typeName: 'Subscription',
      fieldName: 'onAudit',
    });
    expect(denied(user(['admins']), 'subscription { onAudit { id } }')).toBeUndefined();
  });

  it('given a device whose deniedFields name the subscription, then its start is refused', () => {
    expect(denied(device(), 'subscription { onReading { id } }')).toBeUndefined();
    expect(denied(device(['Subscription.onReading']), 'subscription { onReading { id } }')).toEqual(
      { typeName: 'Subscription', fieldName: 'onReading' },
    );
  });

  it('given callers with different groups or denied fields, then their payload keys differ', () => {
    expect(callerAuthKey(user(['b', 'a']))).toBe(callerAuthKey(user(['a', 'b'])));
    expect(callerAuthKey(user(['a']))).not.toBe(callerAuthKey(user(['admins'])));
    expect(callerAuthKey(device(['Query.x']))).not.toBe(callerAuthKey(device()));
  });
});
