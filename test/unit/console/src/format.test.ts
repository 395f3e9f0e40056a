import { describe, expect, it } from 'vitest';
import { ruleSourceText } from '../../../../console/src/format.ts';

describe('ruleSourceText', () => {
  it('given an imported rule, then it names the alarm model and its version', () => {
    expect(
      ruleSourceText({ kind: 'IOT_EVENTS', name: 'BoilerTemperatureHigh', version: '3' }),
    ).toBe('from IoT Events: BoilerTemperatureHigh v3');
  });

  it('given a model imported without a version (a CreateAlarmModel body), then it names the model only', () => {
    expect(ruleSourceText({ kind: 'IOT_EVENTS', name: 'PumpPressureLow', version: null })).toBe(
      'from IoT Events: PumpPressureLow',
    );
  });
});
