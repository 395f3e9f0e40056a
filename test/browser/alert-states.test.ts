import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeStackPorts } from '../../local/free-ports.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  accessibilityProblems,
  browserTestsRunnable,
  launchChromium,
  pageErrors,
  screenshot,
} from '../support/browser.ts';
import type { ConsoleUser } from '../support/console-users.ts';
import { signInOnPage } from '../support/console-users.ts';
import { ruleChangesApplied, startTestStack, stackApi } from '../support/local-stack.ts';
import { createUser } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';

const INGEST = `mutation Ingest($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`;
const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;
const ALERTS = `query Alerts($deviceId: ID) { alerts(deviceId: $deviceId) { items { id status acknowledgedBy resolution silenced silenceId } } }`;
const SILENCE = `query Silence($id: ID!) { silence(id: $id) { state comment createdBy matchers { ruleId deviceId } startsAt endsAt } }`;

interface AlertRow {
  id: string;
  status: string;
  acknowledgedBy: string | null;
  resolution: string | null;
  silenced: boolean | null;
  silenceId: string | null;
}

const runnable = browserTestsRunnable();
let stack: LocalStack;
let browser: Browser;
let operator: ConsoleUser;
let viewer: ConsoleUser;

beforeAll(async () => {
  if (!runnable) return;
  stack = await startTestStack({ ports: await freeStackPorts({ console: true }) });
  browser = await launchChromium();
  [operator, viewer] = await Promise.all([
    createUser(stack.outputs, 'operators'),
    createUser(stack.outputs, 'viewers'),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The API as the stack's first admin, for preparing and checking what the page did. */
const api = stackApi(() => stack);

const start = Date.now() - 10 * 60_000;
let tick = 0;

/** Sends readings in one call, a second apart and after every reading sent before. */
async function ingest(deviceId: string, ...values: number[]): Promise<void> {
  const result = await api<{ ingestEvents: { accepted: number } }>(INGEST, {
    input: values.map((value) => ({
      deviceId,
      metric: 'temperature',
      value,
      timestamp: new Date(start + ++tick * 1000).toISOString(),
    })),
  });
  expect(result.data?.ingestEvents.accepted).toBe(values.length);
}

async function createRule(deviceId: string, input: Record<string, unknown> = {}): Promise<string> {
  const created = await api<{ createRule: { id: string } }>(CREATE_RULE, {
    input: { deviceId, metric: 'temperature', operator: 'GT', threshold: 50, ...input },
  });
  expect(created.errors).toBeUndefined();
  await ruleChangesApplied();
  return created.data?.createRule.id as string;
}

async function alertsOf(deviceId: string): Promise<AlertRow[]> {
  const result = await api<{ alerts: { items: AlertRow[] } }>(ALERTS, { deviceId });
  return result.data?.alerts.items ?? [];
}

/** Waits for the device's newest alert to be in `status` (any, when not given), and returns it. */
function newestAlert(deviceId: string, status?: string): Promise<AlertRow> {
  return waitFor(
    async () => {
      const [newest] = await alertsOf(deviceId);
      return newest && (status === undefined || newest.status === status) ? newest : undefined;
    },
    `${deviceId}'s alert ${status ?? ''}`,
  );
}

/** Opens the alerts page and signs `user` in on its sign-in page. */
async function openConsole(
  context: BrowserContext,
  user: ConsoleUser,
): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${stack.outputs.ConsoleUrl}`);
  await signInOnPage(page, user);
  return { page, errors };
}

const newContext = () =>
  browser.newContext({ viewport: { width: 1200, height: 900 }, timezoneId: 'UTC' });

/** The page's item of the alert of this id, once it is shown. */
async function itemOf(page: Page, id: string): Promise<Locator> {
  const item = page.locator(`.alert-item[data-alert-id="${id}"]`);
  await item.waitFor();
  return item;
}

const statusOf = (item: Locator) => item.getAttribute('data-status');

describe.skipIf(!runnable)('alert states in the console', () => {
  it('given a latched rule, when its alert latches, then an operator sees it LATCHED, acknowledges it in the page, and it resolves in their name and leaves the Open filter', async () => {
    // Prepare: the page open, then a breach that clears
    const deviceId = `kiln-${Date.now()}`;
    await createRule(deviceId, { latch: true, name: `Kiln ${deviceId} too hot` });
    const context = await newContext();
    const { page, errors } = await openConsole(context, operator);
    await ingest(deviceId, 70);
    const firing = await newestAlert(deviceId);
    const item = await itemOf(page, firing.id);

    // Act: the condition clears
    await ingest(deviceId, 30);

    // Assess: latched, said in words, offered Acknowledge, Snooze and Reset
    await expect.poll(() => statusOf(item)).toBe('LATCHED');
    expect(await item.locator('.badge.status').textContent()).toBe('LATCHED');
    expect(await item.getAttribute('class')).toContain('state-latched');
    await item.getByText('The condition cleared; it resolves when acknowledged.').waitFor();
    const buttons = await item.locator('.actions button').allTextContents();
    expect(buttons.slice(0, 3)).toEqual(['Acknowledge', 'Snooze 1 h', 'Reset']);
    await page.getByLabel('Open').check();
    await item.waitFor();
    await screenshot(page, 'alert-latched');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act
    await item.getByRole('button', { name: 'Acknowledge' }).click();

    // Assess: resolved, it leaves the Open filter; under All, resolved in the operator's name
    await item.waitFor({ state: 'detached' });
    await page.getByLabel('All').check();
    await expect.poll(() => statusOf(item)).toBe('RESOLVED');
    await item.getByText(`(acknowledged by ${operator.username})`).waitFor();
    expect(await item.locator('.actions button').count()).toBe(0);
    await waitFor(
      async () => (await alertsOf(deviceId))[0]?.status === 'RESOLVED',
      'the alert resolved',
    );
    expect((await alertsOf(deviceId))[0]).toMatchObject({
      acknowledgedBy: operator.username,
      resolution: `acknowledged by ${operator.username}`,
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a firing alert, when an operator acknowledges it and snoozes it for an hour in the page, then it shows ACKNOWLEDGED, then SILENCED by a silence of its rule and device made in their name', async () => {
    // Prepare
    const deviceId = `press-${Date.now()}`;
    const ruleId = await createRule(deviceId);
    const context = await newContext();
    const { page, errors } = await openConsole(context, operator);
    await ingest(deviceId, 70);
    const firing = await newestAlert(deviceId, 'FIRING');
    const item = await itemOf(page, firing.id);
    await expect.poll(() => statusOf(item)).toBe('FIRING');

    // Act: acknowledged
    await item.getByRole('button', { name: 'Acknowledge' }).click();

    // Assess: ACKNOWLEDGED, said apart from firing, no longer offered Acknowledge
    await expect.poll(() => statusOf(item)).toBe('ACKNOWLEDGED');
    expect(await item.locator('.badge.status').textContent()).toBe('ACKNOWLEDGED');
    expect(await item.getAttribute('class')).toContain('state-acknowledged');
    await item.getByText(`acknowledged by ${operator.username}`).waitFor();
    expect(await item.locator('.actions button.acknowledge').count()).toBe(0);

    // Act: snoozed for an hour
    const before = Date.now();
    await item.getByRole('button', { name: 'Snooze 1 h' }).click();

    // Assess: marked silenced, linking to the snooze's silence, stored as the operator's
    const mark = item.getByRole('link', { name: 'SILENCED' });
    await mark.waitFor();
    const [snoozed] = await alertsOf(deviceId);
    expect(snoozed).toMatchObject({ status: 'ACKNOWLEDGED', silenced: true });
    expect(await mark.getAttribute('href')).toBe(`#/silences/${snoozed?.silenceId}`);
    const silence = (
      await api<{ silence: Record<string, unknown> }>(SILENCE, { id: snoozed?.silenceId })
    ).data?.silence;
    expect(silence).toMatchObject({
      state: 'ACTIVE',
      createdBy: operator.username,
      matchers: { ruleId, deviceId },
    });
    expect(silence?.comment).toContain(firing.id);
    const length = Date.parse(silence?.endsAt as string) - Date.parse(silence?.startsAt as string);
    expect(length).toBe(3_600_000);
    expect(Date.parse(silence?.startsAt as string)).toBeGreaterThanOrEqual(before - 1000);
    await screenshot(page, 'alert-snoozed');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a firing alert, when an operator resets it in the page, then it resolves saying who reset it, and the next breach fires a new alert shown live', async () => {
    // Prepare
    const deviceId = `oven-${Date.now()}`;
    await createRule(deviceId);
    const context = await newContext();
    const { page, errors } = await openConsole(context, operator);
    await ingest(deviceId, 70);
    const firing = await newestAlert(deviceId, 'FIRING');
    const item = await itemOf(page, firing.id);

    // Act
    await item.getByRole('button', { name: 'Reset' }).click();

    // Assess: resolved, saying who
    await expect.poll(() => statusOf(item)).toBe('RESOLVED');
    await item.getByText(`(reset by ${operator.username})`).waitFor();
    await waitFor(
      async () => (await alertsOf(deviceId))[0]?.resolution === `reset by ${operator.username}`,
      'the reset recorded',
    );

    // Act: still breaching
    await ingest(deviceId, 72);

    // Assess: a new alert, firing, above the reset one
    const next = await waitFor(async () => {
      const [newest] = await alertsOf(deviceId);
      return newest && newest.id !== firing.id ? newest : undefined;
    }, 'a new alert');
    const nextItem = await itemOf(page, next.id);
    await expect.poll(() => statusOf(nextItem)).toBe('FIRING');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a viewer, when an alert is open, then they see its state but are offered no Acknowledge, Snooze or Reset', async () => {
    // Prepare
    const deviceId = `dryer-${Date.now()}`;
    await createRule(deviceId, { latch: true });
    await ingest(deviceId, 70, 30);
    const latched = await newestAlert(deviceId, 'LATCHED');
    const context = await newContext();

    // Act
    const { page, errors } = await openConsole(context, viewer);
    const item = await itemOf(page, latched.id);

    // Assess
    await expect.poll(() => statusOf(item)).toBe('LATCHED');
    expect(await item.getByRole('button').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
