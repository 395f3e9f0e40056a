import { randomUUID } from 'node:crypto';

/** The mutation both GraphQL servers are loaded with: small, and no I/O behind it. */
export const CREATE_RULE_MUTATION = `mutation CreateRule($input: CreateRuleInput!) {
  createRule(input: $input) { id deviceId metric operator threshold enabled severity name createdAt }
}`;

/** The variables every load request sends. */
export const CREATE_RULE_VARIABLES = {
  input: {
    deviceId: 'D1',
    metric: 'temperature',
    operator: 'GT',
    threshold: 60,
    severity: 'CRITICAL',
    name: 'Boiler too hot',
  },
};

/**
 * In-memory stand-ins for the Lambda resolvers, the same for the local endpoint and the
 * baseline server, so the comparison measures the GraphQL layer and nothing behind it.
 * Fields without a stand-in resolve to null.
 */
export function trivialResolve(field: string, args: Record<string, unknown>): unknown {
  if (field !== 'Mutation.createRule') return null;
  const input = (args.input ?? {}) as Record<string, unknown>;
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    deviceId: input.deviceId ?? null,
    metric: input.metric,
    operator: input.operator,
    threshold: input.threshold,
    enabled: input.enabled ?? true,
    severity: input.severity ?? 'WARNING',
    name: input.name ?? null,
    forReadings: 1,
    createdAt: now,
    updatedAt: now,
  };
}
