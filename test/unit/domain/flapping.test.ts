import { describe, expect, it } from 'vitest';
import {
  FLAP_TRANSITIONS,
  flapDefaults,
  isFlapping,
  percentStateChange,
  recordTransition,
} from '../../../domain/flapping.ts';

/** A history with the transitions of these ages changed (0 = the newest). */
const changedAt = (...ages: number[]) => ages.reduce((history, age) => history | (1 << age), 0);
/** Ten changes whose weights make exactly 50 %: the five newest and the five oldest. */
const FIFTY = changedAt(0, 1, 2, 3, 4, 15, 16, 17, 18, 19);
/** Six changes whose weights make exactly 25 %. */
const TWENTY_FIVE = changedAt(10, 15, 16, 17, 18, 19);

describe('percent state change', () => {
  it('given no change in the last 21 states, then it is 0; given every transition a change, then 100', () => {
    expect(percentStateChange(0)).toBe(0);
    expect(percentStateChange((1 << FLAP_TRANSITIONS) - 1)).toBe(100);
  });

  it('given one change, then it weighs 1.25 when newest, 0.75 when oldest, rising evenly between', () => {
    // Prepare
    const weights = Array.from(
      { length: FLAP_TRANSITIONS },
      (_, age) => (percentStateChange(changedAt(age)) * FLAP_TRANSITIONS) / 100,
    );
    // Assess
    expect(weights[0]).toBe(1.25);
    expect(weights[19]).toBe(0.75);
    for (let age = 1; age < FLAP_TRANSITIONS; age++) {
      expect((weights[age - 1] ?? 0) - (weights[age] ?? 0)).toBeCloseTo(0.5 / 19, 12);
    }
  });

  it('given changes whose weights sum to 10 and to 5 of 20, then it is exactly 50 and 25', () => {
    expect(percentStateChange(FIFTY)).toBe(50);
    expect(percentStateChange(TWENTY_FIVE)).toBe(25);
  });

  it('given a change recorded 20 readings ago, then one more reading drops it', () => {
    let history = recordTransition(0, true);
    for (let i = 1; i < FLAP_TRANSITIONS; i++) history = recordTransition(history, false);
    expect(history).toBe(changedAt(19));
    expect(recordTransition(history, false)).toBe(0);
  });
});

describe('isFlapping', () => {
  it('given a percent exactly at the high threshold, then flapping starts; a hair above it, not', () => {
    expect(isFlapping(flapDefaults, FIFTY, false)).toBe(true);
    expect(isFlapping({ ...flapDefaults, flapHighPercent: 50.01 }, FIFTY, false)).toBe(false);
  });

  it('given a flapping episode at exactly the low threshold, then it still flaps; a hair below, it stops', () => {
    expect(isFlapping(flapDefaults, TWENTY_FIVE, true)).toBe(true);
    expect(isFlapping({ ...flapDefaults, flapLowPercent: 25.01 }, TWENTY_FIVE, true)).toBe(false);
  });

  it('given a percent between the thresholds, then an episode keeps what it was', () => {
    const between = changedAt(0, 1, 2, 3, 4, 5, 6); // 41 %
    expect(isFlapping(flapDefaults, between, false)).toBe(false);
    expect(isFlapping(flapDefaults, between, true)).toBe(true);
  });

  it('given flap detection off, then nothing flaps, however often it changes', () => {
    const off = { ...flapDefaults, flapDetection: false };
    expect(isFlapping(off, (1 << FLAP_TRANSITIONS) - 1, false)).toBe(false);
    expect(isFlapping(off, (1 << FLAP_TRANSITIONS) - 1, true)).toBe(false);
  });
});
