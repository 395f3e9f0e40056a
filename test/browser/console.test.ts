import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
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
import { waitFor } from '../support/wait-for.ts';
import { ruleChangesApplied, startTestStack, stackApi } from '../support/local-stack.ts';

const INGEST = `mutation Ingest($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`;
const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;
const RULES = `query Rules { rules(limit: 1000) { items { id deviceId metric operator threshold clearThreshold name } } }`;
const DELETE_RULE = `mutation DeleteRule($id: ID!) { deleteRule(id: $id) { deleted } }`;
const RULE = `query Rule($id: ID!) { rule(id: $id) { id threshold forReadings enabled } }`;
const ALERTS = `query Alerts($deviceId: ID) { alerts(deviceId: $deviceId) { items { id status acknowledgedAt acknowledgedBy } } }`;

type AlertRow = {
  id: string;
  status: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
};

const runnable = browserTestsRunnable();
let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  if (!runnable) return;
  stack = await startTestStack({
    ports: await freeStackPorts({ console: true }),
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const api = stackApi(() => stack);

/** Sends readings in one call, `spacingMs` apart, the last one now. */
async function ingest(
  deviceId: string,
  metric: string,
  values: number[],
  spacingMs = 1000,
): Promise<void> {
  const now = Date.now();
  const result = await api(INGEST, {
    input: values.map((value, i) => ({
      deviceId,
      metric,
      value,
      timestamp: new Date(now - (values.length - 1 - i) * spacingMs).toISOString(),
    })),
  });
  expect(result.errors).toBeUndefined();
}

async function alertsOf(deviceId: string): Promise<AlertRow[]> {
  const result = await api<{ alerts: { items: AlertRow[] } }>(ALERTS, { deviceId });
  return result.data?.alerts.items ?? [];
}

async function openConsole(
  context: BrowserContext,
  hash = '',
): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${stack.outputs.ConsoleUrl}${hash}`);
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  return { page, errors };
}

describe.skipIf(!runnable)('the operator console in Chromium', () => {
  it('given the console, when an operator creates a rule in the page and a breaching reading arrives, then the alert appears live, is acknowledged from the page, and the device chart draws the rule and the episode', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openConsole(context, '#/rules');
    const deviceId = `boiler-${Date.now()}`;

    // Prepare: a rule created through the form, first with a threshold the API would refuse
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name', { exact: true }).fill('Boiler too hot');
    await form.getByLabel('Metric', { exact: true }).fill('temperature');
    await form.getByLabel('Device', { exact: true }).fill(deviceId);
    await form.getByLabel('Fires when the value is').selectOption('GT');
    await form.getByLabel('Threshold', { exact: true }).fill('hot');
    await form.getByLabel('Severity').selectOption('CRITICAL');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe('input.threshold must be a finite number; got hot');
    expect(await form.getByLabel('Threshold', { exact: true }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await form.getByLabel('Threshold', { exact: true }).fill('80');
    await form.getByText('More options').click();
    await form.getByLabel('Clear threshold').fill('70');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.locator('.rule-item', { hasText: 'Boiler too hot' }).waitFor();
    const rules = await api<{ rules: { items: Record<string, unknown>[] } }>(RULES);
    expect(rules.data?.rules.items).toContainEqual(
      expect.objectContaining({
        deviceId,
        metric: 'temperature',
        operator: 'GT',
        threshold: 80,
        clearThreshold: 70,
        name: 'Boiler too hot',
      }),
    );
    await ruleChangesApplied();

    // Act: readings through the API, the alert watched in the page
    await page.getByRole('link', { name: 'Alerts' }).click();
    await ingest(deviceId, 'temperature', [61, 64, 66, 71, 74, 78, 76, 79, 85], 60_000);
    const item = page.locator('.alert-item', { hasText: deviceId });
    await item.waitFor({ timeout: 15_000 });

    // Assess: live, critical, firing
    expect(await item.getAttribute('data-status')).toBe('FIRING');
    expect(await item.getAttribute('class')).toContain('severity-critical');
    expect(await item.textContent()).toContain('temperature = 85');
    await screenshot(page, 'alert-firing');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: acknowledge from the page
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await item.getByText(/acknowledged by/).waitFor();
    expect(await item.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    const [acknowledged] = await alertsOf(deviceId);
    expect(acknowledged?.acknowledgedAt).not.toBeNull();

    // Act: the device view
    await item.getByRole('link', { name: deviceId }).click();
    const chart = page.locator('figure.chart[data-metric="temperature"]');
    await chart.waitFor();
    await page.getByLabel('15 min').check();
    await expect.poll(() => chart.locator('polyline.readings').count()).toBe(1);

    // Assess: threshold and clear lines at the rule's levels, one open episode shaded
    const line = (kind: string) => chart.locator(`line.rule-line[data-kind="${kind}"]`);
    expect(await line('threshold').getAttribute('data-value')).toBe('80');
    expect(await line('clear').getAttribute('data-value')).toBe('70');
    expect(await chart.locator('rect.episode').count()).toBe(1);
    expect(await chart.getByRole('img').getAttribute('aria-labelledby')).toBeTruthy();
    await screenshot(page, 'device-chart');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: the device cools below the clear threshold
    await ingest(deviceId, 'temperature', [65]);

    // Assess: the chart follows without a reload
    await expect
      .poll(() => chart.locator('figcaption').textContent(), { timeout: 15_000 })
      .toContain('10 readings');
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();

    // Assess: resolved in the feed, without a reload
    await expect
      .poll(() => page.locator('.alert-item', { hasText: deviceId }).getAttribute('data-status'), {
        timeout: 15_000,
      })
      .toBe('RESOLVED');
    await screenshot(page, 'alert-resolved');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given rules listed in the page, when the operator edits, disables, enables and deletes them, then the API holds each change, and a refused edit shows the message from the field or the API', async () => {
    // Prepare: two rules, the second deleted behind the page's back
    const suffix = Date.now();
    const create = async (name: string) => {
      const created = await api<{ createRule: { id: string } }>(CREATE_RULE, {
        input: {
          deviceId: `cellar-${suffix}`,
          metric: 'humidity',
          operator: 'GT',
          threshold: 70,
          name,
        },
      });
      return created.data?.createRule.id as string;
    };
    const dampId = await create(`Damp ${suffix}`);
    const goneId = await create(`Gone ${suffix}`);
    const context = await browser.newContext();
    const { page, errors } = await openConsole(context, '#/rules');
    const damp = page.locator(`.rule-item[data-rule-id="${dampId}"]`);
    const gone = page.locator(`.rule-item[data-rule-id="${goneId}"]`);
    await gone.waitFor();
    await api(DELETE_RULE, { id: goneId });
    const rule = async (id: string) =>
      (await api<{ rule: Record<string, unknown> | null }>(RULE, { id })).data?.rule;
    const focused = () =>
      page.evaluate('[document.activeElement?.tagName, document.activeElement?.textContent]');

    // Act: edit the rule deleted meanwhile
    await gone.getByRole('button', { name: 'Edit' }).click();
    const stale = page.getByRole('form', { name: 'Edit rule' });
    await stale.getByLabel('Threshold', { exact: true }).fill('90');
    await stale.getByRole('button', { name: 'Save rule' }).click();

    // Assess: the API's refusal, as the API put it
    await expect
      .poll(() => stale.getByRole('alert').textContent())
      .toBe(`No rule with id '${goneId}' (NotFound)`);
    await stale.getByRole('button', { name: 'Cancel' }).click();
    // Focus returns to the Edit button the form came from.
    await expect.poll(focused).toEqual(['BUTTON', 'Edit']);

    // Act: edit with a count the API would refuse, then a good one
    await damp.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit rule' });
    await expect
      .poll(() => page.evaluate('document.activeElement?.getAttribute("name")'))
      .toBe('name');
    await form.getByLabel('Threshold', { exact: true }).fill('75');
    await form.getByText('More options').click();
    await form.getByLabel('Consecutive readings').fill('three');
    await form.getByRole('button', { name: 'Save rule' }).click();

    // Assess: the domain's message, on the field
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe('input.forReadings must be a whole number from 1 to 1000; got three');
    expect(await form.getByLabel('Consecutive readings').getAttribute('aria-invalid')).toBe('true');

    // Act
    await form.getByLabel('Consecutive readings').fill('3');
    await form.getByRole('button', { name: 'Save rule' }).click();

    // Assess
    await damp.getByText('> 75 for 3 readings').waitFor();
    expect(await rule(dampId)).toMatchObject({ threshold: 75, forReadings: 3, enabled: true });

    // Act and assess: disable, enable
    await damp.getByRole('button', { name: 'Disable' }).click();
    await damp.getByText('DISABLED').waitFor();
    expect(await rule(dampId)).toMatchObject({ enabled: false });
    await damp.getByRole('button', { name: 'Enable' }).click();
    await damp.getByRole('button', { name: 'Disable' }).waitFor();
    expect(await rule(dampId)).toMatchObject({ enabled: true });

    // Act and assess: delete, think better of it, then delete, focus following each answer
    await damp.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(focused).toEqual(['BUTTON', 'Yes, delete']);
    await damp.getByRole('button', { name: 'Keep it' }).click();
    await expect.poll(focused).toEqual(['BUTTON', 'Delete']);
    await page.keyboard.press('Enter');
    await expect.poll(focused).toEqual(['BUTTON', 'Yes, delete']);
    await page.keyboard.press('Enter');

    // Assess: gone, and focus on the list's heading rather than lost
    await damp.waitFor({ state: 'detached' });
    expect(await rule(dampId)).toBeNull();
    await expect.poll(focused).toEqual(['H1', 'Rules']);
    expect(errors.filter((error) => !error.includes('Failed to load resource'))).toEqual([]);
    await context.close();
  });

  it('given a console whose websocket drops, when an alert fires while it is down, then the console shows it after reconnecting', async () => {
    // Prepare: every real-time connection goes through a switch the test controls
    const context = await browser.newContext();
    let linkUp = true;
    const open = new Set<WebSocketRoute>();
    await context.routeWebSocket(/\/graphql\/realtime/, (socket) => {
      if (!linkUp) {
        void socket.close({ code: 1006, reason: 'network down' }).catch(() => undefined);
        return;
      }
      open.add(socket);
      socket.connectToServer();
    });
    const { page } = await openConsole(context);
    const deviceId = `pump-${Date.now()}`;
    const created = await api(CREATE_RULE, {
      input: { deviceId, metric: 'pressure', operator: 'GTE', threshold: 3 },
    });
    expect(created.errors).toBeUndefined();
    await ruleChangesApplied();

    // Act: the link drops; the alert fires while nothing can be pushed
    linkUp = false;
    for (const socket of open) await socket.close({ code: 1006, reason: 'network down' });
    await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
    await ingest(deviceId, 'pressure', [4.5]);
    await waitFor(async () => (await alertsOf(deviceId)).length === 1, 'the alert to be recorded');
    expect(await page.locator('.alert-item', { hasText: deviceId }).count()).toBe(0);
    linkUp = true;

    // Assess: back live, and the missed alert is there
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 40_000 });
    await page.locator('.alert-item', { hasText: deviceId }).waitFor({ timeout: 15_000 });
    await context.close();
  });

  it('given a deployed console without an API key, when the operator enters a wrong key and then the right one, then the page says what is wrong and then shows the alerts', async () => {
    // Prepare: a site config as the CDK deploys it: endpoint and region, no key
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.route('**/config.json', (route) =>
      route.fulfill({
        json: { graphqlUrl: stack.outputs.GraphQLUrl, region: stack.outputs.Region },
      }),
    );
    const page = await context.newPage();
    await page.goto(stack.outputs.ConsoleUrl as string);
    const settings = page.getByRole('main');

    // Assess: asked for the key
    await settings.getByText('Enter the API key').waitFor();

    // Act: a wrong key
    await settings.getByLabel('API key').fill('da2-not-the-key');
    await settings.getByRole('button', { name: 'Save and connect' }).click();

    // Assess: refused, and said so
    await page.getByRole('alert').filter({ hasText: 'UnauthorizedException' }).waitFor();

    // Act: the right key, through Settings
    await page.getByRole('link', { name: 'Settings' }).click();
    await settings.getByLabel('API key').fill(stack.outputs.ApiKey);
    await settings.getByLabel('Your name').fill('');
    await settings.getByLabel('Your name').pressSequentially(' Dana on call ');
    await settings.getByRole('button', { name: 'Save and connect' }).click();

    // Assess: live, and the page fits a phone's width
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'phone');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Assess: the name kept as typed, trimmed at the ends only; the site's own endpoint is not
    // stored, so a later config.json still takes effect
    const stored = JSON.parse(
      (await page.evaluate('localStorage.getItem("telemetry-alerts-console")')) as string,
    ) as Record<string, string>;
    expect(stored).toEqual({ apiKey: stack.outputs.ApiKey, operator: 'Dana on call' });
    await page.getByRole('link', { name: 'Settings' }).click();
    expect(await settings.getByLabel('Your name').inputValue()).toBe('Dana on call');
    await context.close();
  });

  it('given a hash that is not valid percent-encoding, when the console opens it, then the page still renders', async () => {
    // Prepare
    const context = await browser.newContext();

    // Act
    const { page, errors } = await openConsole(context, '#/devices/%E0%A4');

    // Assess
    await page.getByRole('heading', { level: 1, name: 'Device %E0%A4' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
