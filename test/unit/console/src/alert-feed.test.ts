import { describe, expect, it } from 'vitest';
import type { FeedAlert } from '../../../../console/src/alert-feed.ts';
import {
  catchUpFrom,
  FEED_SIZE,
  mergeAlerts,
  isOpen,
  needsAttention,
} from '../../../../console/src/alert-feed.ts';

const t0 = Date.parse('2026-05-01T12:00:00.000Z');
const at = (second: number) => new Date(t0 + second * 1000).toISOString();

/** An alert that fired at `second` and has gone no further, unless told otherwise. */
function alert(id: string, second: number, changes: Partial<FeedAlert> = {}): FeedAlert {
  return {
    id,
    ruleId: 'hot',
    ruleName: 'Too hot',
    deviceId: 'D1',
    metric: 'temperature',
    value: 61,
    threshold: 60,
    operator: 'GT',
    severity: 'WARNING',
    status: 'FIRING',
    reason: 'THRESHOLD',
    eventId: `e-${id}`,
    eventTimestamp: at(second),
    firedAt: at(second),
    resolvedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    notifiedAt: at(second),
    resolution: null,
    silenced: false,
    silenceId: null,
    flapping: false,
    ...changes,
  };
}

const acknowledged = (a: FeedAlert, second: number): FeedAlert => ({
  ...a,
  acknowledgedAt: at(second),
  acknowledgedBy: 'ops@example.com',
});
const resolved = (a: FeedAlert, second: number): FeedAlert => ({
  ...a,
  status: 'RESOLVED',
  resolvedAt: at(second),
  notifiedAt: at(second),
});

describe('mergeAlerts ordering', () => {
  it('given alerts arriving in any order, when merged, then the feed is newest first by firing time', () => {
    // Prepare
    const incoming = [alert('b', 20), alert('a', 10), alert('c', 30)];

    // Act
    const feed = mergeAlerts([], incoming);

    // Assess
    expect(feed.map((a) => a.id)).toEqual(['c', 'b', 'a']);
  });

  it('given alerts that fired at the same time, when merged in either order, then they keep one order by id', () => {
    const same = [alert('x1', 10), alert('x3', 10), alert('x2', 10)];

    const forwards = mergeAlerts([], same).map((a) => a.id);
    const backwards = mergeAlerts([], [...same].reverse()).map((a) => a.id);

    expect(forwards).toEqual(['x3', 'x2', 'x1']);
    expect(backwards).toEqual(forwards);
  });

  it('given a feed and new alerts, when merged, then the new ones take their place by firing time, not at the top', () => {
    const feed = mergeAlerts([], [alert('a', 10), alert('c', 30)]);

    const merged = mergeAlerts(feed, [alert('b', 20)]);

    expect(merged.map((a) => a.id)).toEqual(['c', 'b', 'a']);
  });

  it('given a feed, when merged, then the feed passed in is left unchanged', () => {
    const feed = mergeAlerts([], [alert('a', 10)]);
    const before = structuredClone(feed);

    mergeAlerts(feed, [alert('b', 20), resolved(alert('a', 10), 15)]);

    expect(feed).toEqual(before);
  });
});

describe('mergeAlerts: one entry per alert', () => {
  it('given the same alert from a push and from a catch-up, when merged, then it appears once', () => {
    const feed = mergeAlerts([], [alert('a', 10), alert('b', 20)]);

    const merged = mergeAlerts(feed, [alert('a', 10), alert('a', 10)]);

    expect(merged.map((a) => a.id)).toEqual(['b', 'a']);
  });

  const firing = alert('a', 10);
  it.each([
    ['acknowledged beats firing', firing, acknowledged(firing, 12)],
    ['resolved beats firing', firing, resolved(firing, 15)],
    [
      'resolved beats acknowledged',
      acknowledged(firing, 12),
      resolved(acknowledged(firing, 12), 15),
    ],
    [
      'resolved without acknowledgement beats acknowledged',
      acknowledged(firing, 12),
      resolved(firing, 15),
    ],
  ])(
    'given %s, when the copies arrive in either order or together, then the one further on stays',
    (_case, earlier, further) => {
      // Act
      const furtherFirst = mergeAlerts(mergeAlerts([], [further]), [earlier]);
      const earlierFirst = mergeAlerts(mergeAlerts([], [earlier]), [further]);
      const sameBatch = mergeAlerts([], [further, earlier]);
      const sameBatchReversed = mergeAlerts([], [earlier, further]);

      // Assess
      for (const feed of [furtherFirst, earlierFirst, sameBatch, sameBatchReversed]) {
        expect(feed).toEqual([further]);
      }
    },
  );

  it('given a resolved copy and an acknowledged copy notified later, when merged, then the resolved copy wins', () => {
    const resolvedCopy = resolved(alert('a', 10), 15);
    const acknowledgedLater = { ...acknowledged(alert('a', 10), 20), notifiedAt: at(25) };

    expect(mergeAlerts([resolvedCopy], [acknowledgedLater])).toEqual([resolvedCopy]);
    expect(mergeAlerts([acknowledgedLater], [resolvedCopy])).toEqual([resolvedCopy]);
  });

  it('given two copies at the same stage, when merged in either order, then the one notified later wins', () => {
    // A repeat notification of a still-firing alert moves notifiedAt on.
    const first = alert('a', 10, { notifiedAt: at(10) });
    const repeat = alert('a', 10, { notifiedAt: at(70), value: 75 });

    expect(mergeAlerts([first], [repeat])).toEqual([repeat]);
    expect(mergeAlerts([repeat], [first])).toEqual([repeat]);
  });

  it('given a copy marked silenced with nothing else moved on, when it arrives after the unmarked one, then the feed shows the mark; and a later copy without it takes it away', () => {
    // A silence or a flapping episode marks the alert without moving it through its lifecycle.
    const plain = alert('a', 10);
    const silenced = alert('a', 10, { silenced: true, silenceId: 's1', flapping: true });

    expect(mergeAlerts([plain], [silenced])).toEqual([silenced]);
    expect(mergeAlerts([silenced], [plain])).toEqual([plain]);
  });

  it('given a marked copy notified earlier than the copy known, when it arrives, then the copy notified later stays', () => {
    const repeat = alert('a', 10, { notifiedAt: at(70) });
    const stale = alert('a', 10, { notifiedAt: at(10), silenced: true, silenceId: 's1' });

    expect(mergeAlerts([repeat], [stale])).toEqual([repeat]);
  });

  it('given a push that carries no marks at all, when it arrives after a copy marked silenced and flapping, then its news is kept with the marks', () => {
    const marked = alert('a', 10, { silenced: true, silenceId: 's1', flapping: true });
    const {
      silenced: _s,
      silenceId: _i,
      flapping: _f,
      ...unmarked
    } = acknowledged(alert('a', 10), 12);

    const merged = mergeAlerts([marked], [unmarked as FeedAlert]);

    expect(merged).toEqual([
      { ...acknowledged(alert('a', 10), 12), silenced: true, silenceId: 's1', flapping: true },
    ]);
  });

  it('given a copy never notified and one notified, at the same stage, then the notified copy wins', () => {
    const silent = alert('a', 10, { notifiedAt: null });
    const notified = alert('a', 10, { notifiedAt: at(11) });

    expect(mergeAlerts([silent], [notified])).toEqual([notified]);
    expect(mergeAlerts([notified], [silent])).toEqual([notified]);
  });
});

describe('mergeAlerts size', () => {
  it(`given more than FEED_SIZE (${FEED_SIZE}) alerts, when merged, then only the newest FEED_SIZE are kept`, () => {
    const many = Array.from({ length: FEED_SIZE + 25 }, (_, i) => alert(`a${i}`, i));

    const feed = mergeAlerts([], many);

    expect(feed).toHaveLength(FEED_SIZE);
    expect(feed[0]?.id).toBe(`a${FEED_SIZE + 24}`);
    expect(feed.at(-1)?.id).toBe('a25');
  });

  it('given a full feed, when an older alert arrives, then it drops off and the feed stays the same', () => {
    const feed = mergeAlerts([], [alert('a', 10), alert('b', 20), alert('c', 30)], 3);

    const merged = mergeAlerts(feed, [alert('old', 1)], 3);

    expect(merged.map((a) => a.id)).toEqual(['c', 'b', 'a']);
  });

  it('given a full feed, when a newer alert arrives, then the oldest drops off', () => {
    const feed = mergeAlerts([], [alert('a', 10), alert('b', 20), alert('c', 30)], 3);

    const merged = mergeAlerts(feed, [alert('d', 40)], 3);

    expect(merged.map((a) => a.id)).toEqual(['d', 'c', 'b']);
  });
});

describe('catchUpFrom', () => {
  it('given an empty feed, then the catch-up starts from nothing (the newest page)', () => {
    expect(catchUpFrom([])).toBeNull();
  });

  it('given a feed, then the catch-up starts at the firing time of the oldest alert shown', () => {
    const feed = mergeAlerts([], [alert('b', 20), alert('a', 10), alert('c', 30)]);

    expect(catchUpFrom(feed)).toBe(at(10));
  });

  it('given a feed of one, then the catch-up starts at its firing time', () => {
    expect(catchUpFrom([alert('a', 42)])).toBe(at(42));
  });
});

describe('needsAttention', () => {
  it.each([
    ['firing and not acknowledged', alert('a', 10), true],
    ['firing and acknowledged', acknowledged(alert('a', 10), 12), false],
    ['resolved', resolved(alert('a', 10), 15), false],
    ['resolved after being acknowledged', resolved(acknowledged(alert('a', 10), 12), 15), false],
    ['latched (its condition cleared, nobody acknowledged it)', latched(alert('a', 10)), true],
    [
      'acknowledged, status ACKNOWLEDGED',
      { ...acknowledged(alert('a', 10), 12), status: 'ACKNOWLEDGED' as const },
      false,
    ],
  ])('given an alert %s, then it needs attention: %s', (_case, a, expected) => {
    expect(needsAttention(a)).toBe(expected);
  });
});

describe('isOpen', () => {
  it.each([
    ['firing', alert('a', 10), true],
    [
      'acknowledged',
      { ...acknowledged(alert('a', 10), 12), status: 'ACKNOWLEDGED' as const },
      true,
    ],
    ['latched', latched(alert('a', 10)), true],
    ['resolved', resolved(alert('a', 10), 15), false],
  ])('given an alert %s, then the Open filter shows it: %s', (_case, a, expected) => {
    expect(isOpen(a)).toBe(expected);
  });

  it('given a firing copy and a latched copy told later, when merged, then the latched copy wins; a later repeat (firing again) wins over it', () => {
    const firing = alert('a', 10);
    const latchedCopy = { ...latched(firing), notifiedAt: at(20) };
    const again = { ...firing, notifiedAt: at(30) };
    expect(mergeAlerts([firing], [latchedCopy])).toEqual([latchedCopy]);
    expect(mergeAlerts([latchedCopy], [again])).toEqual([again]);
  });
});

function latched(a: FeedAlert): FeedAlert {
  return { ...a, status: 'LATCHED' };
}
