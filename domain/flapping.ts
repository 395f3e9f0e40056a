import type { Rule } from './rule.ts';

/*
 * Flapping: an episode that keeps firing and resolving tells people nothing new with each
 * alert. Its percent state change is measured as Nagios does: over the last 21 states of the
 * episode (firing or not, after each reading it applied), the 20 transitions between them are
 * weighted from 0.75 (the oldest) to 1.25 (the newest) rising evenly, and the weights of the
 * transitions that changed state are summed, divided by 20 and given as a percent. Flapping
 * starts when the percent reaches the rule's high threshold and stops when it falls below
 * its low one.
 *
 * The 21 states are kept as what they amount to: the current state (whether the episode has
 * an open alert) and the 20 transitions, one bit each, newest in bit 0. A history of 0 is an
 * episode that has not changed state in its last 20 readings: nothing to store, which keeps
 * the healthy path free of writes.
 */

/** The flapping options of a rule. */
export type FlapOptions = Pick<Rule, 'flapDetection' | 'flapHighPercent' | 'flapLowPercent'>;

/** The options a rule has unless it says otherwise. */
export const flapDefaults: Readonly<FlapOptions> = Object.freeze({
  flapDetection: true,
  flapHighPercent: 50,
  flapLowPercent: 25,
});

/** Transitions between the 21 states kept. */
export const FLAP_TRANSITIONS = 20;

const HISTORY_MASK = (1 << FLAP_TRANSITIONS) - 1;

/**
 * The history after one more applied reading: `changed` when the reading moved the episode
 * from firing to not firing or back. The oldest transition drops out.
 */
export function recordTransition(history: number, changed: boolean): number {
  return ((history << 1) | (changed ? 1 : 0)) & HISTORY_MASK;
}

/**
 * The weighted percent state change of a history, 0 to 100. The weights are counted in
 * 76ths (0.75 = 57/76, 1.25 = 95/76, a step of 2/76), so the sum is exact and so is any
 * percent that is a whole number: 10 of the 20 weights can make exactly 50.
 */
export function percentStateChange(history: number): number {
  let units = 0;
  for (let bits = history & HISTORY_MASK, age = 0; bits !== 0; bits >>>= 1, age++) {
    if (bits & 1) units += 95 - 2 * age;
  }
  // units / 76 is the weighted sum of changes; / 20 transitions; × 100 percent.
  return (units * 5) / 76;
}

/**
 * Whether the episode flaps with this history: it starts when the percent reaches the high
 * threshold and, once flapping, stops only when the percent falls below the low one. A rule
 * without flap detection never flaps.
 */
export function isFlapping(rule: FlapOptions, history: number, wasFlapping: boolean): boolean {
  if (!rule.flapDetection || history === 0) return false;
  const percent = percentStateChange(history);
  return wasFlapping ? percent >= rule.flapLowPercent : percent >= rule.flapHighPercent;
}
