import { describe, expect, it } from 'vitest';
import { permissionsOf, roleOf, userFromClaims } from '../../../../console/src/user.ts';

describe('roleOf', () => {
  it.each([
    [['admins'], 'admin'],
    [['operators'], 'operator'],
    [['viewers'], 'viewer'],
    [['operators', 'admins'], 'admin'],
    [['viewers', 'operators'], 'operator'],
    [[], 'viewer'],
    [['night-shift'], 'viewer'],
    [undefined, 'viewer'],
    ['admins', 'viewer'],
  ])('given the groups %j, then the role is %s', (groups, role) => {
    expect(roleOf(groups)).toBe(role);
  });
});

describe('userFromClaims', () => {
  it("given an ID token's claims, then the user is their e-mail and the role from their groups", () => {
    // Act
    const user = userFromClaims({
      sub: 'c0ffee',
      email: 'dana@example.com',
      'cognito:username': 'c0ffee',
      'cognito:groups': ['operators'],
    });

    // Assess
    expect(user).toEqual({ email: 'dana@example.com', role: 'operator' });
  });

  it('given claims without an e-mail or groups, then the username is shown and the user is a viewer', () => {
    expect(userFromClaims({ 'cognito:username': 'sam' })).toEqual({
      email: 'sam',
      role: 'viewer',
    });
  });
});

describe('permissionsOf', () => {
  it('given each role, then the console offers what the API allows it and nothing more', () => {
    expect(permissionsOf('admin')).toEqual({
      changeRules: true,
      handleAlerts: true,
      changeDevices: true,
      manageCredentials: true,
      viewSystem: true,
      changeSilences: true,
    });
    expect(permissionsOf('operator')).toEqual({
      changeRules: true,
      handleAlerts: true,
      changeDevices: true,
      manageCredentials: false,
      viewSystem: true,
      changeSilences: true,
    });
    expect(permissionsOf('viewer')).toEqual({
      changeRules: false,
      handleAlerts: false,
      changeDevices: false,
      manageCredentials: false,
      viewSystem: false,
      changeSilences: false,
    });
  });
});
