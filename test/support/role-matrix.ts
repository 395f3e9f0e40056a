/**
 * Who may call what: every Query, Mutation and Subscription field of schema.graphql against
 * every kind of caller, with what the API answers. One table, read by
 * test/integration/role-matrix.test.ts (which calls each field as each caller against the
 * local stack) and rendered into docs/security.md between its markers (`npm run docs:roles`,
 * checked by the same test file).
 */
import type { Mutation, Query, Subscription } from '../../generated/graphql.ts';

/** A root field, as `Type.field` (the names AppSync's `deniedFields` and errors use). */
export type RootField =
  | `Query.${Exclude<keyof Query, '__typename'>}`
  | `Mutation.${Exclude<keyof Mutation, '__typename'>}`
  | `Subscription.${Exclude<keyof Subscription, '__typename'>}`;

/**
 * What the API answers a caller for a field:
 * - `allowed`: the field resolves;
 * - `unauthenticated`: HTTP 401 `UnauthorizedException` before anything runs (on the
 *   real-time endpoint, `connection_error`): the credential is missing or bad;
 * - `unauthorized`: HTTP 200 with the field null and an `Unauthorized` error (on the
 *   real-time endpoint, an `error` for the start): the credential is good but the field does
 *   not admit its mode or group;
 * - `outOfScope`: the field runs, but each reading for a device the credential does not cover
 *   is refused with `Unauthorized` (the field's error for `ingestEvent`, the item's for
 *   `ingestEvents`) and not stored.
 */
export type Outcome = 'allowed' | 'unauthenticated' | 'unauthorized' | 'outOfScope';

/** The callers, in the docs' column order, with their column heading and what they send. */
export const callers = {
  admin: { heading: 'admin', means: 'a user in the group `admins`, with their ID token' },
  operator: { heading: 'operator', means: 'a user in the group `operators`' },
  viewer: { heading: 'viewer', means: 'a user in the group `viewers`' },
  noGroup: { heading: 'no group', means: 'a signed-in user in no group' },
  deviceInScope: {
    heading: 'device',
    means: 'a device credential, for a device it covers',
  },
  deviceOutOfScope: {
    heading: 'device, other ids',
    means: 'a device credential, for a device it does not cover',
  },
  revokedDevice: { heading: 'revoked device', means: 'a revoked device credential' },
  stackIam: {
    heading: 'IAM',
    means:
      "AWS_IAM (SigV4) with the stack's credentials: the worker's mode, and the ingest grant's (in AWS each role's policy narrows it further: the worker's to `publishAlert`)",
  },
  unknownIam: {
    heading: 'IAM, unknown key',
    means: 'a SigV4 signature with an unknown access key',
  },
  none: { heading: 'none', means: 'no credentials at all' },
  expiredJwt: {
    heading: 'expired',
    means: "an admin's ID token, signed with the pool's key, that has expired",
  },
  otherIssuerJwt: {
    heading: 'other issuer',
    means: "an admin's ID token naming another user pool as its issuer",
  },
  otherKeyJwt: {
    heading: 'other key',
    means: "an admin's ID token signed with a key the pool does not publish",
  },
  algNoneJwt: { heading: '`alg: none`', means: "an admin's ID token, unsigned (`alg: none`)" },
  tamperedJwt: {
    heading: 'tampered',
    means: "a viewer's ID token with `admins` written into its groups, signature unchanged",
  },
  apiKey: { heading: 'API key', means: 'an old API key (`x-api-key`)' },
} as const satisfies Record<string, { heading: string; means: string }>;

export type Caller = keyof typeof callers;

export const callerNames = Object.keys(callers) as Caller[];

/** Callers whose credential is bad or missing: refused with 401 whatever they ask for. */
const badCredentials = [
  'revokedDevice',
  'unknownIam',
  'none',
  'expiredJwt',
  'otherIssuerJwt',
  'otherKeyJwt',
  'algNoneJwt',
  'tamperedJwt',
  'apiKey',
] as const satisfies readonly Caller[];

/** A row: the callers a field admits, and any caller with an outcome of its own. */
function row(
  allowed: readonly Caller[],
  special: Partial<Record<Caller, Outcome>> = {},
): Record<Caller, Outcome> {
  return Object.fromEntries(
    callerNames.map((caller): [Caller, Outcome] => [
      caller,
      special[caller] ??
        ((badCredentials as readonly Caller[]).includes(caller)
          ? 'unauthenticated'
          : allowed.includes(caller)
            ? 'allowed'
            : 'unauthorized'),
    ]),
  ) as Record<Caller, Outcome>;
}

const people = ['admin', 'operator', 'viewer', 'noGroup'] as const;
const ruleEditors = ['admin', 'operator'] as const;
const ingesters = ['admin', 'deviceInScope', 'stackIam'] as const;

/** The role matrix: the table of roles, field by field. */
export const roleMatrix: Record<RootField, Record<Caller, Outcome>> = {
  'Query.events': row(people),
  'Query.alerts': row(people),
  'Query.activeAlerts': row(people),
  'Query.rules': row(people),
  'Query.rule': row(people),
  'Query.devices': row(people),
  'Query.device': row(people),
  'Query.deviceCredentials': row(['admin']),
  'Query.systemStatus': row(ruleEditors),
  'Query.backtestRule': row(ruleEditors),
  'Mutation.ingestEvent': row(ingesters, { deviceOutOfScope: 'outOfScope' }),
  'Mutation.ingestEvents': row(ingesters, { deviceOutOfScope: 'outOfScope' }),
  'Mutation.createRule': row(ruleEditors),
  'Mutation.updateRule': row(ruleEditors),
  'Mutation.deleteRule': row(ruleEditors),
  'Mutation.setRuleEnabled': row(ruleEditors),
  'Mutation.importAlarmModels': row(['admin']),
  'Mutation.acknowledgeAlert': row(ruleEditors),
  'Mutation.snoozeAlert': row(ruleEditors),
  'Mutation.resetAlert': row(ruleEditors),
  'Mutation.updateDevice': row(ruleEditors),
  'Mutation.deleteDevice': row(ruleEditors),
  'Mutation.createDeviceCredential': row(['admin']),
  'Mutation.revokeDeviceCredential': row(['admin']),
  'Mutation.publishAlert': row(['stackIam']),
  'Query.silences': row(people),
  'Query.silence': row(people),
  'Query.maintenanceWindows': row(people),
  'Query.maintenanceWindow': row(people),
  'Mutation.createSilence': row(ruleEditors),
  'Mutation.expireSilence': row(ruleEditors),
  'Mutation.createMaintenanceWindow': row(ruleEditors),
  'Mutation.updateMaintenanceWindow': row(ruleEditors),
  'Mutation.deleteMaintenanceWindow': row(ruleEditors),
  'Subscription.onAlert': row(people),
};

export const rootFields = Object.keys(roleMatrix) as RootField[];

const cellText: Record<Outcome, string> = {
  allowed: '✓',
  unauthorized: '✗',
  outOfScope: '✗ scope',
  unauthenticated: '401',
};

/** The role matrix as docs/security.md shows it between its markers. */
export function roleMatrixTable(): string {
  const headings = callerNames.map((caller) => callers[caller].heading);
  const rows = rootFields.map(
    (field) =>
      `| \`${field}\` | ${callerNames.map((caller) => cellText[roleMatrix[field][caller]]).join(' | ')} |`,
  );
  const legend = callerNames.map(
    (caller) => `- **${callers[caller].heading}**: ${callers[caller].means}.`,
  );
  return [
    'Every root field against every kind of caller, as the API answers (the local stack is',
    'held to it by `test/integration/role-matrix.test.ts`; regenerate this block with',
    '`npm run docs:roles`):',
    '',
    `| field | ${headings.join(' | ')} |`,
    `|---|${headings.map(() => '---').join('|')}|`,
    ...rows,
    '',
    `- ${cellText.allowed}: allowed.`,
    `- ${cellText.unauthorized}: HTTP 200, the field \`null\` with an \`Unauthorized\` error (a subscription's start gets an \`error\` with \`Unauthorized\`): the credential is good, the field does not admit its mode or group. Nothing runs, nothing is stored.`,
    `- ${cellText.outOfScope}: a reading for a device the credential does not cover is refused with \`Unauthorized\` (\`ingestEvent\`'s field error; in \`ingestEvents\`, the error in that reading's result) and not stored.`,
    `- ${cellText.unauthenticated}: HTTP 401 \`UnauthorizedException\` (on the real-time endpoint, \`connection_error\`): a missing or bad credential. Nothing runs, nothing is stored.`,
    '',
    'Callers:',
    '',
    ...legend,
  ].join('\n');
}

const BEGIN = '<!-- role-matrix -->';
const END = '<!-- /role-matrix -->';

/** `document` with the role matrix written between its markers. */
export function withRoleMatrixTable(document: string): string {
  const begin = document.indexOf(BEGIN);
  const end = document.indexOf(END);
  if (begin === -1 || end < begin) {
    throw new Error(`The document has no ${BEGIN} … ${END} block for the role matrix`);
  }
  return `${document.slice(0, begin + BEGIN.length)}\n\n${roleMatrixTable()}\n\n${document.slice(end)}`;
}
