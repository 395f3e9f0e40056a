import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { UserGroup } from '../../infra/resources.ts';
import type { LocalStackOutputs } from '../../local/stack.ts';
import { addUser } from './users.ts';

/** Someone who signs in to the console: an e-mail address and a password. */
export interface ConsoleUser {
  username: string;
  password: string;
}

/**
 * Signs in on the console's sign-in page, already open, and waits until the live link is up:
 * the page is then signed in, with the role's pages and controls.
 */
export async function signInOnPage(page: Page, user: ConsoleUser): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('E-mail').fill(user.username);
  await form.getByLabel('Password').fill(user.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
}

/**
 * The ID token Amplify keeps for the page's signed-in user (local storage,
 * `CognitoIdentityServiceProvider.<client>.<user>.idToken`), to call the API as that user.
 */
export async function pageIdToken(page: Page): Promise<string> {
  const token = await page.evaluate(`(() => {
    const key = Object.keys(localStorage).find(
      (name) => name.startsWith('CognitoIdentityServiceProvider.') && name.endsWith('.idToken'),
    );
    return key ? localStorage.getItem(key) : null;
  })()`);
  if (typeof token !== 'string') throw new Error('The page holds no ID token: is it signed in?');
  return token;
}

/**
 * Spoils the tokens Amplify keeps for the page's user, as a revoked or forged session would
 * be: the ID token's signature no longer verifies, and the refresh token is unknown to the
 * pool. The payloads still decode, so the page believes it is signed in until the API says no.
 */
export async function spoilPageSession(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    for (const name of Object.keys(localStorage)) {
      if (!name.startsWith('CognitoIdentityServiceProvider.')) continue;
      const value = localStorage.getItem(name);
      if (name.endsWith('.idToken') || name.endsWith('.accessToken')) {
        const [header, payload] = value.split('.');
        localStorage.setItem(name, header + '.' + payload + '.c3BvaWxlZA');
      } else if (name.endsWith('.refreshToken')) {
        localStorage.setItem(name, 'spoiled-refresh-token');
      }
    }
  })()`);
}

/**
 * A user an admin has just created, with a temporary password (the pool e-mails none here):
 * their first sign-in must choose a password of their own.
 */
export function invitedUser(outputs: LocalStackOutputs, group: UserGroup): Promise<ConsoleUser> {
  return addUser(outputs, group, {
    email: `invited-${randomBytes(4).toString('hex')}@example.com`,
    invited: true,
  });
}
