import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkMessage } from '../../../domain/ports.ts';
import type { Rule } from '../../../domain/rule.ts';
import { rule } from '../../support/builders.ts';
import { signedInEvent } from '../../support/resolver-events.ts';

const stored = vi.hoisted(() => new Map<string, unknown>());
const sent = vi.hoisted(() => [] as unknown[]);

// The handler's wiring, with an in-memory rule store and work queue in place of AWS.
vi.mock('../../../adapters/wiring/rules.ts', () => ({
  rules: {
    get: async (id: string) => stored.get(id) ?? null,
    replace: async (next: { id: string }) => {
      if (!stored.has(next.id)) return false;
      stored.set(next.id, next);
      return true;
    },
  },
  work: {
    send: async (message: unknown, delaySeconds?: number) =>
      void sent.push(
        delaySeconds === undefined ? message : { ...(message as object), delaySeconds },
      ),
  },
  refreshMs: 2000,
}));

const { handler } = await import('../../../resolvers/rules.ts');

const asOperator = (fieldName: string, args: Record<string, unknown>) =>
  signedInEvent('operators', `Mutation.${fieldName}`, args);

const berlin = [{ key: 'site', operator: 'EQ' as const, values: ['berlin'] }];
const paris = [{ key: 'site', operator: 'EQ' as const, values: ['paris'] }];

async function update(id: string, input: Record<string, unknown>): Promise<Rule> {
  return (await handler(asOperator('updateRule', { id, input }))) as Rule;
}

describe('the rules resolver: work after a rule change', () => {
  beforeEach(() => {
    stored.clear();
    sent.length = 0;
  });

  it('given a selector rule given another selector, then the worker is sent the new selector to resolve the alerts of devices that left it', async () => {
    stored.set('r', rule('r', { selector: berlin }));

    const answer = await update('r', { selector: paris });

    expect(answer.selector).toEqual(paris);
    // Now, and again once every worker has refreshed its rules (2 × 2 s, and a second).
    expect(sent).toEqual([
      { type: 'ruleTargetChanged', ruleId: 'r', selector: paris },
      { type: 'ruleTargetChanged', ruleId: 'r', selector: paris, delaySeconds: 5 },
    ] satisfies (WorkMessage & { delaySeconds?: number })[]);
  });

  it('given an every-device rule that takes a selector, then the worker is sent the selector', async () => {
    stored.set('r', rule('r'));
    await update('r', { selector: berlin });
    expect(sent).toEqual([
      { type: 'ruleTargetChanged', ruleId: 'r', selector: berlin },
      { type: 'ruleTargetChanged', ruleId: 'r', selector: berlin, delaySeconds: 5 },
    ]);
  });

  it.each([
    ['its selector dropped (it now watches every device)', { selector: null }],
    ['the same selector sent again', { selector: berlin }],
    ['another field changed', { threshold: 70 }],
  ])(
    'given a selector rule with %s, then no device leaves it and nothing is sent',
    async (_, input) => {
      stored.set('r', rule('r', { selector: berlin }));
      await update('r', input);
      expect(sent).toEqual([]);
    },
  );

  it('given a rule disabled while its selector changes, then its alerts are closed, once, and no selector work is sent', async () => {
    stored.set('r', rule('r', { selector: berlin }));
    await update('r', { selector: paris, enabled: false });
    expect(sent).toEqual([{ type: 'closeRule', ruleId: 'r' }]);
  });

  it('given a disabled rule given a new selector, then nothing is sent: it has no open alerts', async () => {
    stored.set('r', rule('r', { selector: berlin, enabled: false }));
    await update('r', { selector: paris });
    expect(sent).toEqual([]);
  });

  it('given a refused selector, then nothing is stored or sent', async () => {
    const before = rule('r', { selector: berlin });
    stored.set('r', before);
    const result = await handler(
      asOperator('updateRule', { id: 'r', input: { selector: [{ key: 'Site', operator: 'EQ' }] } }),
    );
    expect(result).toMatchObject({
      __error: {
        errorType: 'ValidationError',
        message: expect.stringMatching(/^input\.selector\[0\]\.key/),
      },
    });
    expect(stored.get('r')).toBe(before);
    expect(sent).toEqual([]);
  });
});
