import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsNamespace, metricsService } from '../../domain/metrics.ts';
import { freeStackPorts } from '../../local/free-ports.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  accessibilityProblems,
  browserTestsRunnable,
  launchChromium,
  pageErrors,
  screenshot,
} from '../support/browser.ts';
import { graphql } from '../support/appsync-client.ts';
import type { ConsoleUser } from '../support/console-users.ts';
import {
  invitedUser,
  pageIdToken,
  signInOnPage,
  spoilPageSession,
} from '../support/console-users.ts';
import { waitFor } from '../support/wait-for.ts';
import { ruleChangesApplied, startTestStack, stackApi } from '../support/local-stack.ts';
import { createUser, testPassword } from '../support/users.ts';

const INGEST = `mutation Ingest($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`;
const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;
const RULES = `query Rules { rules(limit: 1000) { items { id deviceId metric operator threshold clearThreshold name createdBy } } }`;
const DELETE_RULE = `mutation DeleteRule($id: ID!) { deleteRule(id: $id) { deleted } }`;
const RULE = `query Rule($id: ID!) { rule(id: $id) { id threshold forReadings enabled } }`;
const DEVICES = `query Devices($filter: DeviceFilter) { devices(filter: $filter, limit: 1000) { items { id } } }`;
const DEVICE = `query Device($id: ID!) { device(id: $id) { id name labels { key value } } }`;
const UPDATE_DEVICE = `mutation UpdateDevice($id: ID!, $input: UpdateDeviceInput!) { updateDevice(id: $id, input: $input) { id } }`;
const SYSTEM_STATUS = `query SystemStatus { systemStatus { deadLetterDepth } }`;
const ALERTS = `query Alerts($deviceId: ID) { alerts(deviceId: $deviceId) { items { id status acknowledgedAt acknowledgedBy } } }`;

type AlertRow = {
  id: string;
  status: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
};

/** What the console says when the API refuses a session that cannot be refreshed (api.ts). */
const SESSION_ENDED = 'Your session has ended. Sign in again.';

const runnable = browserTestsRunnable();
let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  if (!runnable) return;
  stack = await startTestStack({
    ports: await freeStackPorts({ console: true }),
    // A revoked device credential is refused at once, not after AppSync's 300 s cache.
    deviceAuthCacheSeconds: 0,
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The API as the stack's first admin, for preparing and checking what the page did. */
const api = stackApi(() => stack);

const admin = (): ConsoleUser => ({
  username: stack.outputs.LocalAdminUsername,
  password: stack.outputs.LocalAdminPassword,
});

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

/** Waits until the worker has recorded this many devices whose id or name holds `search`. */
async function devicesRecorded(search: string, count: number): Promise<void> {
  await waitFor(async () => {
    const result = await api<{ devices: { items: unknown[] } }>(DEVICES, { filter: { search } });
    return result.data?.devices.items.length === count;
  }, `${count} devices matching ${search} in the inventory`);
}

async function alertsOf(deviceId: string): Promise<AlertRow[]> {
  const result = await api<{ alerts: { items: AlertRow[] } }>(ALERTS, { deviceId });
  return result.data?.alerts.items ?? [];
}

/** Opens the console at `hash` and signs `user` in on its sign-in page. */
async function openConsole(
  context: BrowserContext,
  user: ConsoleUser,
  hash = '',
): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${stack.outputs.ConsoleUrl}${hash}`);
  await signInOnPage(page, user);
  return { page, errors };
}

describe.skipIf(!runnable)('the operator console in Chromium', () => {
  it('given an operator signed in, when they create a rule in the page and a breaching reading arrives, then the alert appears live, is acknowledged in their name, and the device chart draws the rule and the episode', async () => {
    const operator = await createUser(stack.outputs, 'operators');
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openConsole(context, operator, '#/rules');
    const header = page.getByRole('banner');
    await header.getByText(operator.username).waitFor();
    expect(await header.getByText('Operator', { exact: true }).count()).toBe(1);
    expect(await header.getByRole('link', { name: 'Device credentials' }).count()).toBe(0);
    const deviceId = `boiler-${Date.now()}`;

    // Prepare: a rule created through the form, first with a threshold the API would refuse
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name', { exact: true }).fill('Boiler too hot');
    await form.getByLabel('Metric', { exact: true }).fill('temperature');
    await form.getByLabel('One device').check();
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
        createdBy: operator.username,
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
    expect(acknowledged?.acknowledgedBy).toBe(operator.username);

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
    const operator = await createUser(stack.outputs, 'operators');
    const { page, errors } = await openConsole(context, operator, '#/rules');
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

  it('given devices that sent readings, when an admin opens the Fleet page, then each is listed with its labels, last seen and health, a device silent past the threshold is marked stale, More pages on, and a label filter narrows the list', async () => {
    // Prepare: a hot device with a firing critical alert, a labelled one, a silent one, and 52
    // more listed after them (by id), for a second page
    const suffix = Date.now();
    const hot = `fleet-${suffix}-hot`;
    const cool = `fleet-${suffix}-cool`;
    const quiet = `fleet-${suffix}-quiet`;
    const site = `berlin${suffix}`;
    const created = await api(CREATE_RULE, {
      input: {
        deviceId: hot,
        metric: 'temperature',
        operator: 'GT',
        threshold: 80,
        severity: 'CRITICAL',
      },
    });
    expect(created.errors).toBeUndefined();
    await ruleChangesApplied();
    await ingest(hot, 'temperature', [90]);
    await ingest(cool, 'temperature', [20]);
    const halfAnHourAgo = new Date(Date.now() - 30 * 60_000).toISOString();
    const silent = await api(INGEST, {
      input: [{ deviceId: quiet, metric: 'temperature', value: 21, timestamp: halfAnHourAgo }],
    });
    expect(silent.errors).toBeUndefined();
    const bulk = Array.from({ length: 52 }, (_, i) => ({
      deviceId: `fleet-${suffix}-x-${String(i).padStart(2, '0')}`,
      metric: 'humidity',
      value: 40,
      timestamp: new Date().toISOString(),
    }));
    expect((await api(INGEST, { input: bulk })).errors).toBeUndefined();
    await waitFor(async () => (await alertsOf(hot)).length === 1, 'the hot device to alert');
    await devicesRecorded(`fleet-${suffix}`, 55);
    const labelled = await api(UPDATE_DEVICE, {
      id: cool,
      input: {
        labels: [
          { key: 'site', value: site },
          { key: 'model', value: 'b200' },
        ],
      },
    });
    expect(labelled.errors).toBeUndefined();
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });

    // Act
    const { page, errors } = await openConsole(context, admin(), '#/fleet');
    await page.getByLabel('Search id or name').fill(`fleet-${suffix}`);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const item = (id: string) => page.locator(`.device-item[data-device-id="${id}"]`);
    await item(hot).waitFor();

    // Assess: health with the severity badge, labels, stale marking at the 10-minute default
    const health = item(hot).locator('.badge.severity-critical');
    expect(await health.textContent()).toBe('CRITICAL · 1 open alert');
    expect(await item(cool).locator('.badge.health-ok').textContent()).toBe('OK');
    expect(await item(cool).locator('.labels code').allTextContents()).toEqual([
      'model=b200',
      `site=${site}`,
    ]);
    expect(await item(hot).textContent()).toContain('temperature 90');
    expect(await item(quiet).getAttribute('data-stale')).toBe('true');
    expect(await item(quiet).getByText('STALE').count()).toBe(1);
    expect(await item(hot).getAttribute('data-stale')).toBe('false');
    await screenshot(page, 'fleet');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Assess: 50 devices a page, More for the rest
    expect(await page.locator('.device-item').count()).toBe(50);
    await page.getByRole('button', { name: 'More' }).click();
    await expect.poll(() => page.locator('.device-item').count()).toBe(55);
    expect(await page.getByRole('button', { name: 'More' }).count()).toBe(0);

    // Act and assess: an hour's threshold, and the silent device is no longer stale
    await page.getByLabel('Stale after (minutes)').fill('60');
    await expect.poll(() => item(quiet).getAttribute('data-stale')).toBe('false');

    // Act: a matcher the API would refuse, then a good one
    await page.getByRole('button', { name: 'Add matcher' }).click();
    const row = page.locator('.fleet-filter .matcher-row').first();
    await row.getByLabel('Label key').fill('Site');
    await row.getByLabel('Value').fill(site);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect
      .poll(() => page.locator('.fleet-filter').getByRole('alert').textContent())
      .toMatch(/^filter\.labels\[0\]\.key may contain only lower-case letters/);
    expect(await row.getByLabel('Label key').getAttribute('aria-invalid')).toBe('true');
    await row.getByLabel('Label key').fill('site');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();

    // Assess: only the labelled device
    await expect.poll(() => page.locator('.device-item').count()).toBe(1);
    await item(cool).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given an operator, when they label a device in the Fleet page and create a rule for that label in the rule form, then the rule applies to the device (its page lists it) and an alert fires for it; removing the device empties its inventory entry', async () => {
    // Prepare: a device the worker has recorded
    const suffix = Date.now();
    const press = `press-${suffix}`;
    const plant = `plant${suffix}`;
    await ingest(press, 'pressure', [2]);
    await devicesRecorded(press, 1);
    const operator = await createUser(stack.outputs, 'operators');
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openConsole(context, operator, '#/fleet');
    await page.getByLabel('Search id or name').fill(press);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const item = page.locator(`.device-item[data-device-id="${press}"]`);

    // Act: labels the domain would refuse, then good ones
    await item.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: `Edit device ${press}` });
    await form.getByLabel('Name').fill('Press one');
    await form.getByLabel('Labels').fill(`Site=${plant}`);
    await form.getByRole('button', { name: 'Save device' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toMatch(/^input\.labels\[0\]\.key may contain only lower-case letters/);
    expect(await form.getByLabel('Labels').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Labels').fill(`site=${plant}\nline=3`);
    await form.getByRole('button', { name: 'Save device' }).click();

    // Assess: shown and stored
    await item.getByText('Press one').waitFor();
    expect(await item.locator('.labels code').allTextContents()).toEqual([
      'line=3',
      `site=${plant}`,
    ]);
    const stored = await api<{ device: Record<string, unknown> | null }>(DEVICE, { id: press });
    expect(stored.data?.device).toEqual({
      id: press,
      name: 'Press one',
      labels: [
        { key: 'line', value: '3' },
        { key: 'site', value: plant },
      ],
    });

    // Act: a rule for the label, through the rule form
    await page.getByRole('link', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const ruleForm = page.getByRole('form', { name: 'New rule' });
    await ruleForm.getByLabel('Name', { exact: true }).fill(`Plant ${suffix} presses`);
    await ruleForm.getByLabel('Metric', { exact: true }).fill('pressure');
    await ruleForm.getByLabel('Devices with labels').check();
    const row = ruleForm.locator('.matcher-row').first();
    await row.getByLabel('Label key').fill('site');
    await row.getByLabel('Operator').selectOption('IN');
    await row.getByLabel('Values').fill(`${plant}, elsewhere`);
    await ruleForm.getByLabel('Fires when the value is').selectOption('GT');
    await ruleForm.getByLabel('Threshold', { exact: true }).fill('5');
    await ruleForm.getByLabel('Severity').selectOption('CRITICAL');
    expect(await accessibilityProblems(page)).toEqual([]);
    await ruleForm.getByRole('button', { name: 'Create rule' }).click();

    // Assess: listed with its selector as text, stored with it
    const listed = page.locator('.rule-item', { hasText: `Plant ${suffix} presses` });
    await listed.getByText(`devices with site in (${plant}, elsewhere)`).waitFor();
    const rules = await api<{ rules: { items: Record<string, unknown>[] } }>(
      `query { rules(limit: 1000) { items { name deviceId selector { key operator values } } } }`,
    );
    expect(rules.data?.rules.items).toContainEqual({
      name: `Plant ${suffix} presses`,
      deviceId: null,
      selector: [{ key: 'site', operator: 'IN', values: [plant, 'elsewhere'] }],
    });
    await ruleChangesApplied();

    // Act: a breaching reading from the labelled device
    await ingest(press, 'pressure', [7]);

    // Assess: the selector rule fired for it
    await waitFor(async () => (await alertsOf(press)).length === 1, 'the selector rule to fire');
    expect((await alertsOf(press))[0]?.status).toBe('FIRING');

    // Assess: the device page shows its labels and the rule, applying by its labels
    await page.goto(`${stack.outputs.ConsoleUrl}#/devices/${press}`);
    const applying = page.locator('.applying-rules li', { hasText: `Plant ${suffix} presses` });
    await applying.waitFor();
    expect(await applying.getAttribute('data-scope')).toBe('selector');
    expect(await page.locator('.device-summary .labels code').allTextContents()).toEqual([
      'line=3',
      `site=${plant}`,
    ]);
    await screenshot(page, 'device-labels');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: remove the device from the inventory, thinking better of it first
    await page.goto(`${stack.outputs.ConsoleUrl}#/fleet`);
    await page.getByLabel('Search id or name').fill(press);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await item.getByRole('button', { name: 'Delete' }).click();
    await item.getByRole('button', { name: 'Keep it' }).click();
    await item.getByRole('button', { name: 'Delete' }).click();
    await item.getByRole('button', { name: 'Yes, remove' }).click();

    // Assess
    await item.waitFor({ state: 'detached' });
    expect((await api<{ device: unknown }>(DEVICE, { id: press })).data?.device).toBeNull();
    expect(errors).toEqual([]);
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
    const { page } = await openConsole(context, admin());
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

  it('given a dead-lettered message and metrics written, when an operator opens the System page, then it shows the queues and draws the series, and reads them again every few seconds', async () => {
    // Prepare: a message the worker cannot evaluate, dead-lettered after its two deliveries
    const sqs = new SQSClient({
      region: stack.outputs.Region,
      endpoint: stack.outputs.SqsEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.outputs.EvaluationQueueUrl,
        MessageBody: '{"not": "a reading"}',
      }),
    );
    await waitFor(async () => {
      const status = await api<{ systemStatus: { deadLetterDepth: number } }>(SYSTEM_STATUS);
      return (status.data?.systemStatus.deadLetterDepth ?? 0) > 0;
    }, 'the message in the dead-letter queue');
    // What a function writes at the end of two invocations, to this process's stdout
    const metrics = new Metrics({ namespace: metricsNamespace, serviceName: metricsService });
    for (const lags of [
      [40, 60, 900],
      [50, 70],
    ]) {
      metrics.addMetric('ReadingsAccepted', MetricUnit.Count, lags.length);
      metrics.addMetric('ReadingsEvaluated', MetricUnit.Count, lags.length);
      for (const lag of lags) metrics.addMetric('EvaluationLag', MetricUnit.Milliseconds, lag);
      metrics.publishStoredMetrics();
    }
    const operator = await createUser(stack.outputs, 'operators');
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openConsole(context, operator);

    // Act
    await page.getByRole('banner').getByRole('link', { name: 'System' }).click();

    // Assess: the dead-letter queue counted and flagged, the lag drawn
    const deadLetter = page.locator('[data-figure="dead-letter-depth"]');
    await deadLetter.waitFor();
    expect(Number(await deadLetter.locator('.figure-value').textContent())).toBeGreaterThan(0);
    expect(await deadLetter.getAttribute('class')).toContain('figure-bad');
    const lag = page.locator('figure.chart[data-metric="evaluationLagP99"]');
    await expect.poll(() => lag.locator('circle.latest').count()).toBe(1);
    expect(await lag.locator('figcaption').textContent()).toMatch(/latest [\d,]+ ms/);
    for (const series of [
      'readingsAccepted',
      'readingsEvaluated',
      'evaluationLagP50',
      'oldestMessageAge',
    ]) {
      expect(await page.locator(`figure.chart[data-metric="${series}"]`).count(), series).toBe(1);
    }
    expect(await page.locator('[data-figure="queue-depth"] .figure-value').textContent()).toMatch(
      /^\d+$/,
    );
    await screenshot(page, 'system');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Assess: read again without a reload
    const summary = page.locator('#main .summary');
    const first = await summary.textContent();
    await expect.poll(() => summary.textContent(), { timeout: 15_000 }).not.toBe(first);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a rule imported from an IoT Events alarm model, when an operator opens the Rules page, then the rule says which model and version it came from', async () => {
    // Prepare
    const imported = await api<{ importAlarmModels: { created: number } }>(
      'mutation ($m: AWSJSON!) { importAlarmModels(models: $m) { created } }',
      {
        m: JSON.stringify({
          alarmModelName: 'ConsoleBoiler',
          alarmModelVersion: '3',
          alarmRule: {
            simpleRule: {
              inputProperty: '$input.BoilerInput.sensors.temperature',
              comparisonOperator: 'GREATER',
              threshold: '85',
            },
          },
        }),
      },
    );
    expect(imported.data?.importAlarmModels.created).toBe(1);
    const context = await browser.newContext();
    const operator = await createUser(stack.outputs, 'operators');

    // Act
    const { page, errors } = await openConsole(context, operator, '#/rules');

    // Assess
    const rule = page.locator('.rule-item[data-rule-id="iot-events:ConsoleBoiler"]');
    await rule.getByText('from IoT Events: ConsoleBoiler v3').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
    // The model's rule watches every device's temperature: the tests after this one count
    // their devices' alerts, which it must not add to.
    const deleted = await api(DELETE_RULE, { id: 'iot-events:ConsoleBoiler' });
    expect(deleted.errors).toBeUndefined();
    await ruleChangesApplied();
  });

  it('given a viewer signed in, then no control that changes anything is offered, and the API refuses a createRule forged with their token', async () => {
    // Prepare: a rule and a firing alert the viewer can see
    const deviceId = `kiln-${Date.now()}`;
    const created = await api<{ createRule: { id: string } }>(CREATE_RULE, {
      input: {
        deviceId,
        metric: 'temperature',
        operator: 'GT',
        threshold: 900,
        name: `Kiln ${deviceId}`,
      },
    });
    expect(created.errors).toBeUndefined();
    await ruleChangesApplied();
    await ingest(deviceId, 'temperature', [950]);
    await waitFor(async () => (await alertsOf(deviceId)).length === 1, 'the alert to fire');
    await devicesRecorded(deviceId, 1);
    const viewer = await createUser(stack.outputs, 'viewers');
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });

    // Act
    const { page, errors } = await openConsole(context, viewer);

    // Assess: who is signed in, and no Acknowledge button on the firing alert
    const header = page.getByRole('banner');
    await header.getByText(viewer.username).waitFor();
    expect(await header.getByText('Viewer', { exact: true }).count()).toBe(1);
    expect(await header.getByRole('link', { name: 'Device credentials' }).count()).toBe(0);
    expect(await header.getByRole('link', { name: 'System' }).count()).toBe(0);
    const item = page.locator('.alert-item', { hasText: deviceId });
    await item.waitFor();
    expect(await item.getAttribute('data-status')).toBe('FIRING');
    expect(await item.getByRole('button').count()).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'phone');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Assess: the rules are listed without a control to change them
    await page.getByRole('link', { name: 'Rules' }).click();
    const rule = page.locator(`.rule-item[data-rule-id="${created.data?.createRule.id}"]`);
    await rule.waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);

    // Assess: the fleet is listed without a control to change a device
    await page.getByRole('link', { name: 'Fleet', exact: true }).click();
    await page.getByLabel('Search id or name').fill(deviceId);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    const device = page.locator(`.device-item[data-device-id="${deviceId}"]`);
    await device.waitFor();
    expect(await device.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Delete)/ }).count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await device.getByRole('link', { name: deviceId }).click();
    await page.getByRole('heading', { name: 'Rules that apply' }).waitFor();
    expect(await page.getByRole('button', { name: 'Edit name and labels' }).count()).toBe(0);

    // Assess: the credentials and System pages are not offered even by their address
    await page.goto(`${stack.outputs.ConsoleUrl}#/credentials`);
    await page.getByText('Only admins manage device credentials.').waitFor();
    await page.goto(`${stack.outputs.ConsoleUrl}#/system`);
    await page.getByText("Only admins and operators see the system's status.").waitFor();

    // Act: the viewer's own token, used for a call the page does not offer
    const token = await pageIdToken(page);
    const forged = await graphql(stack.outputs.GraphQLUrl, token, CREATE_RULE, {
      input: { deviceId, metric: 'temperature', operator: 'LT', threshold: 0, name: 'forged' },
    });

    // Assess: refused, and nothing stored
    expect(forged.errors?.[0]?.errorType).toBe('Unauthorized');
    const rules = await api<{ rules: { items: { name: string | null }[] } }>(RULES);
    expect(rules.data?.rules.items.map((r) => r.name)).not.toContain('forged');
    expect(errors.filter((error) => !error.includes('Failed to load resource'))).toEqual([]);
    await context.close();
  });

  it('given an admin, when they issue a device credential in the page, then its token is shown once and ingests through the API; once revoked in the page, ingest with it is refused', async () => {
    // Prepare
    const suffix = Date.now();
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(stack.outputs.ConsoleUrl as string).origin,
    });
    const { page, errors } = await openConsole(context, admin(), '#/credentials');
    const header = page.getByRole('banner');
    expect(await header.getByText('Admin', { exact: true }).count()).toBe(1);

    // Act: a form the API would refuse, then a good one
    await page.getByRole('button', { name: 'New credential' }).click();
    const form = page.getByRole('form', { name: 'New credential' });
    await form.getByLabel('Name').fill(`Gateway ${suffix}`);
    await form.getByRole('button', { name: 'Create credential' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe(
        'input must name the devices the credential covers: deviceIds, deviceIdPrefix, or both',
      );
    await form.getByLabel('Device ids').fill(`oven-${suffix}-1,\noven-${suffix}-2`);
    await form.getByRole('button', { name: 'Create credential' }).click();

    // Assess: the token, once, with the note and a working copy button
    const issued = page.locator('.issued-token');
    await issued.getByText('Shown once.').waitFor();
    const token = await issued.getByLabel('Device token').inputValue();
    expect(token).toMatch(/^tad_[0-9a-f]{32}_[0-9a-f]{64}$/);
    await issued.getByRole('button', { name: 'Copy' }).click();
    await issued.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'credential-issued');
    await issued.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByText(token).count()).toBe(0);
    const item = page.locator('.credential-item', { hasText: `Gateway ${suffix}` });
    await item.getByText(`devices oven-${suffix}-1, oven-${suffix}-2`).waitFor();
    expect(await item.textContent()).toContain(`Created by ${stack.outputs.LocalAdminUsername}`);

    // Act: the device ingests with it, as a device does: its token as Authorization
    const ingestWith = (deviceId: string) =>
      graphql<{ ingestEvents: { accepted: number } }>(stack.outputs.GraphQLUrl, token, INGEST, {
        input: [
          { deviceId, metric: 'temperature', value: 180, timestamp: new Date().toISOString() },
        ],
      });
    const accepted = await ingestWith(`oven-${suffix}-1`);

    // Assess
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.ingestEvents.accepted).toBe(1);

    // Act: revoke it in the page, thinking better of it first
    await page.reload();
    await item.getByRole('button', { name: 'Revoke' }).click();
    await item.getByRole('button', { name: 'Keep it' }).click();
    await item.getByRole('button', { name: 'Revoke' }).click();
    await item.getByRole('button', { name: 'Yes, revoke' }).click();

    // Assess: shown as revoked, its use recorded, and the token refused by the API
    await item.getByText('REVOKED', { exact: true }).waitFor();
    expect(await item.textContent()).not.toContain('last used never');
    expect(await item.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    let refused = await ingestWith(`oven-${suffix}-1`);
    await waitFor(async () => {
      refused = await ingestWith(`oven-${suffix}-1`);
      return refused.status === 401;
    }, 'ingest with the revoked credential to be refused');
    expect(refused.errors?.[0]?.errorType).toBe('UnauthorizedException');
    expect(errors.filter((error) => !error.includes('Failed to load resource'))).toEqual([]);
    await context.close();
  });

  it('given a user an admin created with a temporary password, when they first sign in, then they choose a new password and are signed in with their role', async () => {
    // Prepare
    const invited = await invitedUser(stack.outputs, 'operators');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(stack.outputs.ConsoleUrl as string);
    const newPassword = testPassword();

    // Act: the temporary password, then a new one typed twice, first differently
    await page.getByLabel('E-mail').fill(invited.username);
    await page.getByLabel('Password').fill(invited.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('New password again').fill(`${newPassword}x`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'The two passwords differ.' }).waitFor();
    await page.getByLabel('New password again').fill(newPassword);
    await page.getByRole('button', { name: 'Continue' }).click();

    // Assess: signed in as an operator; the new password is the one that works from now on
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(await page.getByRole('banner').getByText('Operator', { exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    await signInOnPage(page, { username: invited.username, password: newPassword });
    await context.close();
  });

  it('given a wrong password, then the page says so; given a session the API refuses and the pool will not refresh, then the sign-in page comes back saying the session ended', async () => {
    // Prepare
    const viewer = await createUser(stack.outputs, 'viewers');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(stack.outputs.ConsoleUrl as string);

    // Act: a wrong password
    await page.getByLabel('E-mail').fill(viewer.username);
    await page.getByLabel('Password').fill('Not-the-password-1!');
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Assess: refused, still on the sign-in page
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);

    // Act: signed in properly, then the stored session spoilt and the page reloaded
    await page.getByLabel('Password').fill(viewer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await spoilPageSession(page);
    await page.reload();

    // Assess: back on the sign-in page, told why, with no session left behind
    await page.getByText(SESSION_ENDED).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await context.close();
  });

  it('given a hash that is not valid percent-encoding, when the console opens it, then the page still renders', async () => {
    // Prepare
    const context = await browser.newContext();

    // Act
    const { page, errors } = await openConsole(context, admin(), '#/devices/%E0%A4');

    // Assess
    await page.getByRole('heading', { level: 1, name: 'Device %E0%A4' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
