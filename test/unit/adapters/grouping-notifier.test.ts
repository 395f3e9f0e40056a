import { describe, expect, it } from 'vitest';
import { GroupingNotifier } from '../../../adapters/grouping-notifier.ts';
import { thresholdAlert } from '../../../domain/alert.ts';
import { RuleIndex } from '../../../domain/rule-index.ts';
import { reading, rule, t0 } from '../../support/builders.ts';
import {
  FakeNotificationGroupStore,
  FakeWorkQueue,
} from '../../support/fake-notification-groups.ts';

const defaults = { waitSeconds: 30, intervalSeconds: 300 };

function firing(ruleId: string, site: string) {
  const alert = thresholdAlert(
    rule(ruleId),
    reading(`r-${site}`, 75, 0, `D-${site}`),
    75,
    new Date(t0).toISOString(),
    { site },
  );
  return { key: `FIRING@${alert.firedAt}`, kind: 'FIRING' as const, alert };
}

describe('GroupingNotifier', () => {
  it("given a rule grouped by site, then each site's notification joins its own group, waiting the rule's time", async () => {
    const store = new FakeNotificationGroupStore();
    const queue = new FakeWorkQueue();
    const index = new RuleIndex([rule('hot', { groupBy: ['site'], groupWaitSeconds: 5 })]);
    const notifier = new GroupingNotifier(async () => index, defaults, {
      store,
      queue,
      now: () => t0,
    });
    await notifier.notify(firing('hot', 'berlin'));
    await notifier.notify(firing('hot', 'paris'));
    const heads = [...store.heads.values()];
    expect(heads.map((head) => head.labels)).toEqual([
      [{ key: 'site', value: 'berlin' }],
      [{ key: 'site', value: 'paris' }],
    ]);
    expect(queue.sent.map((sent) => sent.delaySeconds)).toEqual([5, 5]);
  });

  it('given a notification of a rule no longer indexed (deleted or disabled), then it joins the group of its rule id, with the defaults', async () => {
    const store = new FakeNotificationGroupStore();
    const queue = new FakeWorkQueue();
    const notifier = new GroupingNotifier(async () => new RuleIndex(), defaults, {
      store,
      queue,
      now: () => t0,
    });
    await notifier.notify(firing('gone', 'berlin'));
    expect([...store.heads.keys()]).toEqual(['gone']);
    expect(queue.sent).toEqual([
      { message: { type: 'flushGroup', groupKey: 'gone' }, delaySeconds: 30 },
    ]);
  });
});
