import { describe, expect, it } from 'vitest';
import { covers, deviceScopeOf, userCaller } from '../../../domain/caller.ts';

describe('covers', () => {
  it.each([
    [{ deviceIds: ['D1', 'D2'], deviceIdPrefix: null }, 'D2', true],
    [{ deviceIds: ['D1', 'D2'], deviceIdPrefix: null }, 'D3', false],
    [{ deviceIds: ['D1'], deviceIdPrefix: null }, 'D10', false],
    [{ deviceIds: [], deviceIdPrefix: 'plant-a/' }, 'plant-a/boiler-1', true],
    [{ deviceIds: [], deviceIdPrefix: 'plant-a/' }, 'plant-b/boiler-1', false],
    [{ deviceIds: ['gw-1'], deviceIdPrefix: 'plant-a/' }, 'gw-1', true],
    [{ deviceIds: [], deviceIdPrefix: '' }, 'anything', false],
  ])('given the scope %o, then %s is covered: %s', (scope, deviceId, expected) => {
    expect(covers(scope, deviceId)).toBe(expected);
  });
});

describe('deviceScopeOf', () => {
  it('given a device caller, then its scope; given a person or a workload, then every device (null)', () => {
    const scope = { deviceIds: ['D1'], deviceIdPrefix: null };
    expect(deviceScopeOf({ kind: 'device', credentialId: 'c', name: 'gw', scope })).toBe(scope);
    expect(deviceScopeOf(userCaller({ email: null, username: 'alice' }, []))).toBeNull();
    expect(deviceScopeOf({ kind: 'workload', name: 'arn:aws:iam::1:role/x' })).toBeNull();
  });
});

describe('userCaller', () => {
  it('given a user with an e-mail, then the e-mail is the name recorded', () => {
    const caller = userCaller({ email: 'ada@example.com', username: 'u-123' }, ['operators']);
    expect(caller).toEqual({ kind: 'user', name: 'ada@example.com', groups: ['operators'] });
  });

  it('given a user without an e-mail (or a blank one), then the username is the name recorded', () => {
    expect(userCaller({ email: null, username: 'u-123' }, []).name).toBe('u-123');
    expect(userCaller({ email: '  ', username: 'u-123' }, []).name).toBe('u-123');
  });
});
