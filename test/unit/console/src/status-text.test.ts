import { describe, expect, it } from 'vitest';
import { ageText, lagText, rateText } from '../../../../console/src/status-text.ts';

describe('the System page figures', () => {
  it.each([
    [0, '0/s'],
    [0.44, '0.4/s'],
    [12.55, '12.6/s'],
    [99.94, '99.9/s'],
    [1250.4, '1,250/s'],
  ])('given %d readings per second, then it reads %s', (value, text) => {
    expect(rateText(value)).toBe(text);
  });

  it.each([
    [0, '0 ms'],
    [849.6, '850 ms'],
    [9_999, '9,999 ms'],
    [12_345, '12.3 s'],
  ])('given a lag of %d ms, then it reads %s', (value, text) => {
    expect(lagText(value)).toBe(text);
  });

  it.each([
    [null, '–'],
    [0.4, '0 s'],
    [42, '42 s'],
    [185, '3 min 5 s'],
    [7_800, '2 h 10 min'],
  ])('given an age of %s s, then it reads %s', (value, text) => {
    expect(ageText(value)).toBe(text);
  });
});
