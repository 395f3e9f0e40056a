import { describe, expect, it } from 'vitest';
import { RuleIndex } from '../../../domain/rule-index.ts';
import { rule } from '../../support/builders.ts';

describe('RuleIndex', () => {
  it('given device, every-device and disabled rules, then a reading matches its device and every-device rules only', () => {
    const index = new RuleIndex([
      rule('for-d1', { deviceId: 'D1' }),
      rule('for-d2', { deviceId: 'D2' }),
      rule('for-all'),
      rule('other-metric', { metric: 'humidity' }),
      rule('disabled', { deviceId: 'D1', enabled: false }),
    ]);
    expect(
      index
        .matching('D1', 'temperature')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['for-all', 'for-d1']);
    expect(index.matching('D3', 'temperature').map((r) => r.id)).toEqual(['for-all']);
    expect(index.matching('D1', 'pressure')).toEqual([]);
    expect(index.size).toBe(4);
  });
});

describe('RuleIndex changes', () => {
  const sorted = (rules: readonly { id: string }[]) => rules.map((r) => r.id).sort();

  it('given an upsert of an indexed rule, then it moves to its new device and metric and is found there only', () => {
    const index = new RuleIndex([rule('r1', { deviceId: 'D1' }), rule('every')]);
    const before = index.matching('D1', 'temperature');
    index.upsert(rule('r1', { deviceId: 'D2', metric: 'humidity', threshold: 5 }));
    expect(sorted(index.matching('D1', 'temperature'))).toEqual(['every']);
    expect(sorted(index.matching('D2', 'humidity'))).toEqual(['r1']);
    expect(index.get('r1')?.threshold).toBe(5);
    expect(index.size).toBe(2);
    // A list handed out before stays as it was.
    expect(sorted(before)).toEqual(['every', 'r1']);
  });

  it('given one device with rules of several metrics, then each reading finds the rules of its metric, through removals', () => {
    const index = new RuleIndex([
      rule('a', { deviceId: 'D1' }),
      rule('b', { deviceId: 'D1', threshold: 70 }),
      rule('c', { deviceId: 'D1', metric: 'pressure' }),
      rule('d', { deviceId: 'D2' }),
    ]);
    const ids = (deviceId: string, metric: string) => sorted(index.matching(deviceId, metric));
    expect(ids('D1', 'temperature')).toEqual(['a', 'b']);
    expect(ids('D1', 'pressure')).toEqual(['c']);
    expect(ids('D2', 'pressure')).toEqual([]);
    index.remove('b');
    expect(ids('D1', 'temperature')).toEqual(['a']);
    index.remove('a');
    expect(ids('D1', 'temperature')).toEqual([]);
    expect(ids('D1', 'pressure')).toEqual(['c']);
    index.upsert(rule('c', { deviceId: 'D1', metric: 'humidity' }));
    expect(ids('D1', 'pressure')).toEqual([]);
    expect(ids('D1', 'humidity')).toEqual(['c']);
    index.remove('c');
    expect(ids('D1', 'humidity')).toEqual([]);
    expect(ids('D2', 'temperature')).toEqual(['d']);
    expect(index.size).toBe(1);
  });

  it('given removals, then the rule is matched nowhere and removing it again says so', () => {
    const index = new RuleIndex([
      rule('a', { deviceId: 'D1' }),
      rule('b', { deviceId: 'D1' }),
      rule('every'),
    ]);
    expect(index.remove('a')).toBe(true);
    expect(index.remove('a')).toBe(false);
    expect(sorted(index.matching('D1', 'temperature'))).toEqual(['b', 'every']);
    index.remove('b');
    index.remove('every');
    expect(index.matching('D1', 'temperature')).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('given selector rules, then a reading matches those its device labels satisfy, and a device of unknown labels none that need a label', () => {
    const index = new RuleIndex([
      rule('berlin', { selector: [{ key: 'site', operator: 'EQ', values: ['berlin'] }] }),
      rule('not-paris', { selector: [{ key: 'site', operator: 'NEQ', values: ['paris'] }] }),
      rule('for-d1', { deviceId: 'D1' }),
    ]);
    expect(sorted(index.matching('D1', 'temperature', { site: 'berlin' }))).toEqual([
      'berlin',
      'for-d1',
      'not-paris',
    ]);
    expect(sorted(index.matching('D2', 'temperature', { site: 'paris' }))).toEqual([]);
    expect(sorted(index.matching('D2', 'temperature'))).toEqual(['not-paris']);
    index.remove('not-paris');
    expect(sorted(index.matching('D2', 'temperature', { site: 'berlin' }))).toEqual(['berlin']);
  });

  it('given selector rules of every operator, filed by a value they require, then each reading finds exactly the rules its labels satisfy, through upserts and removals', () => {
    const site = (operator: 'EQ' | 'NEQ' | 'IN' | 'NOT_IN', ...values: string[]) => ({
      key: 'site',
      operator,
      values,
    });
    const index = new RuleIndex([
      rule('eq', {
        selector: [site('EQ', 'berlin'), { key: 'model', operator: 'IN', values: ['m1', 'm2'] }],
      }),
      rule('in', { selector: [site('IN', 'berlin', 'paris', 'berlin')] }),
      rule('model-in', {
        selector: [{ key: 'model', operator: 'IN', values: ['m2'] }, site('NOT_IN', 'rome')],
      }),
      rule('exists', { selector: [{ key: 'tier', operator: 'EXISTS', values: [] }] }),
      rule('none', {
        selector: [{ key: 'tier', operator: 'NOT_EXISTS', values: [] }, site('NEQ', 'paris')],
      }),
      rule('constructor', { selector: [{ key: 'constructor', operator: 'EQ', values: ['x'] }] }),
    ]);
    const ids = (labels: Record<string, string>) =>
      sorted(index.matching('D9', 'temperature', labels));
    expect(ids({ site: 'berlin', model: 'm2' })).toEqual(['eq', 'in', 'model-in', 'none']);
    expect(ids({ site: 'berlin', model: 'm3', tier: 'lab' })).toEqual(['exists', 'in']);
    expect(ids({ site: 'paris', model: 'm2' })).toEqual(['in', 'model-in']);
    expect(ids({ site: 'rome', model: 'm2' })).toEqual(['none']);
    expect(ids({})).toEqual(['none']);
    // An upsert refiles the rule under its new selector; a removal takes it from everywhere.
    index.upsert(rule('in', { selector: [site('EQ', 'rome')] }));
    expect(ids({ site: 'paris', model: 'm2' })).toEqual(['model-in']);
    expect(ids({ site: 'rome' })).toEqual(['in', 'none']);
    index.remove('model-in');
    index.remove('none');
    expect(ids({ site: 'berlin', model: 'm2' })).toEqual(['eq']);
    expect(index.size).toBe(4);
    for (const id of ['eq', 'in', 'exists', 'constructor']) index.remove(id);
    expect(index.matching('D9', 'temperature', { site: 'berlin', model: 'm1' })).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('given selectors filed by some of their matchers, then the matchers left out of the filing are still checked', () => {
    const models = Array.from({ length: 20 }, (_, n) => `m${n}`);
    const index = new RuleIndex([
      // 20 models are more places than a rule gets: filed by its site, its models checked.
      rule('wide', {
        selector: [
          { key: 'site', operator: 'EQ', values: ['berlin'] },
          { key: 'model', operator: 'IN', values: models },
        ],
      }),
      // Two matchers of one key: filed by both, so both hold.
      rule('twice', {
        selector: [
          { key: 'site', operator: 'EQ', values: ['berlin'] },
          { key: 'site', operator: 'IN', values: ['berlin', 'paris'] },
        ],
      }),
      // Filed by its site; the tier is checked.
      rule('prod', {
        selector: [
          { key: 'site', operator: 'EQ', values: ['paris'] },
          { key: 'tier', operator: 'NEQ', values: ['lab'] },
        ],
      }),
    ]);
    const ids = (labels: Record<string, string>) =>
      sorted(index.matching('D9', 'temperature', labels));
    expect(ids({ site: 'berlin', model: 'm3' })).toEqual(['twice', 'wide']);
    expect(ids({ site: 'berlin', model: 'm25' })).toEqual(['twice']);
    expect(ids({ site: 'paris', model: 'm3' })).toEqual(['prod']);
    expect(ids({ site: 'paris', tier: 'lab' })).toEqual([]);
  });

  it('given selectors that require an empty label value, then only devices with that key and value match', () => {
    const index = new RuleIndex([
      rule('empty', { selector: [{ key: 'site', operator: 'EQ', values: [''] }] }),
      rule('empty-or-x', { selector: [{ key: 'site', operator: 'IN', values: ['', 'x'] }] }),
    ]);
    const ids = (labels: Record<string, string>) =>
      sorted(index.matching('D9', 'temperature', labels));
    expect(ids({ site: '' })).toEqual(['empty', 'empty-or-x']);
    expect(ids({ site: 'x' })).toEqual(['empty-or-x']);
    expect(ids({ model: 'm1' })).toEqual([]);
    expect(index.matching('D9', 'temperature')).toEqual([]);
  });

  it('given 5,000 selector rules of one metric, then a reading finds the one its labels satisfy', () => {
    const rules = Array.from({ length: 5_000 }, (_, n) =>
      rule(`s${n}`, {
        selector: [
          { key: 'site', operator: 'EQ', values: [`site-${n % 50}`] },
          { key: 'model', operator: 'EQ', values: [`m${Math.floor(n / 50)}`] },
        ],
      }),
    );
    const index = new RuleIndex(rules);
    expect(sorted(index.matching('D1', 'temperature', { site: 'site-7', model: 'm42' }))).toEqual([
      's2107',
    ]);
  });

  it('given rules with and without no-data times or repeats, then timed lists only the former', () => {
    const index = new RuleIndex([
      rule('plain'),
      rule('quiet', { noDataSeconds: 60 }),
      rule('repeats', { repeatIntervalSeconds: 300 }),
      rule('off', { noDataSeconds: 60, enabled: false }),
    ]);
    expect(sorted(index.timed())).toEqual(['quiet', 'repeats']);
  });

  it('given rules read whole, then the index keeps what evaluation reads, in one shape, without descriptions or who changed them when', () => {
    const parsed = [rule('a', { deviceId: 'D1' }), rule('b', { deviceId: 'D2' })].map(
      (r) => JSON.parse(JSON.stringify(r)) as typeof r,
    );
    const index = new RuleIndex(parsed);
    const [a, b] = [index.get('a'), index.get('b')];
    expect(a).toBeDefined();
    expect(Object.keys(a ?? {})).not.toContain('createdAt');
    expect(Object.keys(a ?? {})).not.toContain('description');
    expect(Object.keys(a ?? {})).toEqual(Object.keys(b ?? {}));
  });

  it('given rules with and without their own flapping options, then each evaluates with its own, and a rule read back keeps them', () => {
    // Prepare
    const index = new RuleIndex([
      rule('defaults'),
      rule('quiet', { flapDetection: false }),
      rule('tuned', { forReadings: 2, flapHighPercent: 40, flapLowPercent: 10 }),
    ]);
    const flap = (id: string) => {
      const found = index.get(id);
      return [found?.flapDetection, found?.flapHighPercent, found?.flapLowPercent];
    };
    // Assess
    expect(flap('defaults')).toEqual([true, 50, 25]);
    expect(flap('quiet')).toEqual([false, 50, 25]);
    expect(flap('tuned')).toEqual([true, 40, 10]);
    expect(index.get('tuned')?.forReadings).toBe(2);
    expect(JSON.parse(JSON.stringify(index.get('tuned')))).toMatchObject({
      forReadings: 2,
      flapDetection: true,
      flapHighPercent: 40,
      flapLowPercent: 10,
    });
  });

  it('given a latching rule among rules at the defaults, then only it latches', () => {
    const index = new RuleIndex([rule('latched', { latch: true }), rule('plain')]);
    expect(index.get('latched')?.latch).toBe(true);
    expect(index.get('plain')?.latch).toBe(false);
  });

  it('given a rule that groups its e-mails, then the index keeps its grouping for the notifier, and a rule at the defaults has none', () => {
    const index = new RuleIndex([
      rule('grouped', { groupBy: ['site'], groupWaitSeconds: 60, groupIntervalSeconds: 600 }),
      rule('plain'),
    ]);
    expect(index.get('grouped')).toMatchObject({
      groupBy: ['site'],
      groupWaitSeconds: 60,
      groupIntervalSeconds: 600,
    });
    expect(index.get('plain')).toMatchObject({
      groupBy: null,
      groupWaitSeconds: null,
      groupIntervalSeconds: null,
    });
    expect(JSON.parse(JSON.stringify(index.get('grouped')))).toMatchObject({ groupBy: ['site'] });
  });
});

describe('RuleIndex shared options', () => {
  const optionsOf = (index: RuleIndex, id: string) =>
    (index.get(id) as unknown as { options: object }).options;

  it('given rules with equal options that are not the defaults, then they hold one object, each reading its own values', () => {
    const index = new RuleIndex([
      rule('a', { deviceId: 'D1', forReadings: 3, windowSeconds: 60, aggregation: 'AVG' }),
      rule('b', { deviceId: 'D2', forReadings: 3, windowSeconds: 60, aggregation: 'AVG' }),
      rule('c', { deviceId: 'D3', forReadings: 3, windowSeconds: 120, aggregation: 'AVG' }),
      rule('d', {
        deviceId: 'D4',
        forReadings: 3,
        windowSeconds: 60,
        aggregation: 'AVG',
        latch: true,
      }),
    ]);
    expect(optionsOf(index, 'a')).toBe(optionsOf(index, 'b'));
    expect(optionsOf(index, 'c')).not.toBe(optionsOf(index, 'a'));
    expect(optionsOf(index, 'd')).not.toBe(optionsOf(index, 'a'));
    expect(index.get('b')).toMatchObject({ deviceId: 'D2', forReadings: 3, windowSeconds: 60 });
    expect(index.get('c')?.windowSeconds).toBe(120);
    expect(index.get('d')?.latch).toBe(true);
    expect(index.get('a')?.latch).toBe(false);
  });

  it('given the last rule of a set of options removed or changed, then the set goes with it, and one still held stays shared', () => {
    const index = new RuleIndex([
      rule('a', { deviceId: 'D1', forReadings: 3 }),
      rule('b', { deviceId: 'D2', forReadings: 3 }),
    ]);
    const first = optionsOf(index, 'a');
    index.remove('a');
    index.upsert(rule('a', { deviceId: 'D1', forReadings: 3 }));
    expect(optionsOf(index, 'a')).toBe(first);
    index.remove('a');
    index.upsert(rule('b', { deviceId: 'D2', forReadings: 4 }));
    expect(index.get('b')?.forReadings).toBe(4);
    index.upsert(rule('a', { deviceId: 'D1', forReadings: 3 }));
    expect(optionsOf(index, 'a')).not.toBe(first);
    expect(optionsOf(index, 'a')).toEqual(first);
  });

  it('given selector rules with equal options, then each keeps its own selector', () => {
    const index = new RuleIndex([
      rule('s1', { forReadings: 3, selector: [{ key: 'site', operator: 'EQ', values: ['b'] }] }),
      rule('s2', { forReadings: 3, selector: [{ key: 'site', operator: 'EQ', values: ['m'] }] }),
    ]);
    expect(index.get('s1')?.selector?.[0]?.values).toEqual(['b']);
    expect(index.get('s2')?.selector?.[0]?.values).toEqual(['m']);
    expect(index.matching('X', 'temperature', { site: 'm' }).map((r) => r.id)).toEqual(['s2']);
  });
});

describe('RuleIndex selections kept with a labels object', () => {
  const site = (value: string) => [{ key: 'site', operator: 'EQ' as const, values: [value] }];

  it('given one labels object read again after rule changes, then each reading sees the rules as they are now', () => {
    const labels = { site: 'berlin', model: 'b1' };
    const index = new RuleIndex([rule('berlin', { selector: site('berlin') })]);
    const ids = () => index.matching('D1', 'temperature', labels).map((r) => r.id);
    expect(ids()).toEqual(['berlin']);
    index.upsert(rule('berlin-too', { selector: site('berlin'), threshold: 70 }));
    expect(ids().sort()).toEqual(['berlin', 'berlin-too']);
    index.upsert(rule('berlin', { selector: site('munich') }));
    expect(ids()).toEqual(['berlin-too']);
    index.remove('berlin-too');
    expect(ids()).toEqual([]);
    index.upsert(rule('own', { deviceId: 'D1' }));
    index.upsert(rule('every'));
    index.upsert(rule('berlin', { selector: site('berlin') }));
    expect(ids().sort()).toEqual(['berlin', 'every', 'own']);
  });

  it('given two devices with equal labels in two objects and one in another metric, then each gets its own selection', () => {
    const index = new RuleIndex([
      rule('berlin', { selector: site('berlin') }),
      rule('berlin-pressure', { selector: site('berlin'), metric: 'pressure' }),
    ]);
    const berlin = { site: 'berlin' };
    const munich = { site: 'munich' };
    expect(index.matching('D1', 'temperature', berlin).map((r) => r.id)).toEqual(['berlin']);
    expect(index.matching('D1', 'pressure', berlin).map((r) => r.id)).toEqual(['berlin-pressure']);
    expect(index.matching('D2', 'temperature', munich)).toEqual([]);
    expect(index.matching('D3', 'temperature', { site: 'berlin' }).map((r) => r.id)).toEqual([
      'berlin',
    ]);
  });
});
