import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSha256 } from '../../adapters/clients/sha256.ts';
import { freeStackPorts } from '../../local/free-ports.ts';
import type { LocalStack } from '../../local/stack.ts';
import { graphql } from '../support/appsync-client.ts';
import {
  accessibilityProblems,
  browserTestsRunnable,
  launchChromium,
  pageErrors,
  screenshot,
} from '../support/browser.ts';
import type { ConsoleUser } from '../support/console-users.ts';
import { pageIdToken, signInOnPage } from '../support/console-users.ts';
import { ruleChangesApplied, startTestStack, stackApi } from '../support/local-stack.ts';
import { createUser } from '../support/users.ts';
import { waitFor } from '../support/wait-for.ts';

const INGEST = `mutation Ingest($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`;
const CREATE_RULE = `mutation CreateRule($input: CreateRuleInput!) { createRule(input: $input) { id } }`;
const ALERTS = `query Alerts($deviceId: ID) { alerts(deviceId: $deviceId) { items { id status } } }`;
const MATCHERS = `matchers { ruleId deviceId metric severities labels { key operator values } }`;
const SILENCE_FIELDS = `id ${MATCHERS} startsAt endsAt comment notifyResolved state createdAt createdBy expiredAt expiredBy`;
const SILENCES = `query Silences($state: SilenceState) { silences(state: $state, limit: 1000) { items { ${SILENCE_FIELDS} } } }`;
const SILENCE = `query Silence($id: ID!) { silence(id: $id) { ${SILENCE_FIELDS} } }`;
const CREATE_SILENCE = `mutation CreateSilence($input: CreateSilenceInput!) { createSilence(input: $input) { id } }`;
const WINDOW_FIELDS = `id name timeZone periods { days start end } startsOn endsOn ${MATCHERS} notifyResolved createdBy updatedBy`;
const WINDOWS = `query Windows { maintenanceWindows(limit: 1000) { items { ${WINDOW_FIELDS} } } }`;
const WINDOW = `query Window($id: ID!) { maintenanceWindow(id: $id) { ${WINDOW_FIELDS} } }`;
const CREATE_WINDOW = `mutation CreateWindow($input: MaintenanceWindowInput!) { createMaintenanceWindow(input: $input) { id } }`;
// What the worker's push selects, and the marks: subscribers receive only what is selected.
const PUBLISH_ALERT = `mutation PublishAlert($input: AlertInput!) {
  publishAlert(input: $input) {
    id ruleId ruleName deviceId metric value threshold operator severity status reason
    eventId eventTimestamp firedAt resolvedAt acknowledgedAt acknowledgedBy notifiedAt
    silenced silenceId flapping
  }
}`;

type Json = Record<string, unknown>;
type Silence = Json & { id: string; state: string; comment: string };
type Window = Json & { id: string; name: string };

const HOUR_MS = 3_600_000;

const runnable = browserTestsRunnable();
let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  if (!runnable) return;
  stack = await startTestStack({ ports: await freeStackPorts({ console: true }) });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The API as the stack's first admin, for preparing and checking what the page did. */
const api = stackApi(() => stack);

async function silences(state?: string): Promise<Silence[]> {
  const result = await api<{ silences: { items: Silence[] } }>(SILENCES, { state });
  expect(result.errors).toBeUndefined();
  return result.data?.silences.items ?? [];
}

async function silence(id: string): Promise<Silence | null> {
  return (await api<{ silence: Silence | null }>(SILENCE, { id })).data?.silence ?? null;
}

async function windows(): Promise<Window[]> {
  const result = await api<{ maintenanceWindows: { items: Window[] } }>(WINDOWS);
  expect(result.errors).toBeUndefined();
  return result.data?.maintenanceWindows.items ?? [];
}

/** A rule for one device, and a reading that breaches it: the alert is firing when this returns. */
async function firingAlert(deviceId: string, name: string): Promise<{ ruleId: string }> {
  const created = await api<{ createRule: { id: string } }>(CREATE_RULE, {
    input: { deviceId, metric: 'temperature', operator: 'GT', threshold: 50, name },
  });
  expect(created.errors).toBeUndefined();
  await ruleChangesApplied();
  const ingested = await api(INGEST, {
    input: [{ deviceId, metric: 'temperature', value: 60, timestamp: new Date().toISOString() }],
  });
  expect(ingested.errors).toBeUndefined();
  await waitFor(async () => {
    const result = await api<{ alerts: { items: { status: string }[] } }>(ALERTS, { deviceId });
    return result.data?.alerts.items[0]?.status === 'FIRING';
  }, `the alert of ${deviceId} to fire`);
  return { ruleId: created.data?.createRule.id as string };
}

/** Pushes an alert to `onAlert` subscribers as the worker does: `publishAlert`, SigV4-signed. */
async function publishAlert(input: Json): Promise<void> {
  const url = new URL(stack.outputs.GraphQLUrl);
  const body = JSON.stringify({ query: PUBLISH_ALERT, variables: { input } });
  const signed = await new SignatureV4({
    credentials: {
      accessKeyId: stack.outputs.LocalAccessKeyId,
      secretAccessKey: stack.outputs.LocalSecretAccessKey,
    },
    region: stack.outputs.Region,
    service: 'appsync',
    sha256: NodeSha256,
  }).sign(
    new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { 'content-type': 'application/json', host: url.host },
      body,
    }),
  );
  const response = await fetch(url, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body,
  });
  const result = (await response.json()) as { errors?: unknown[] };
  expect(result.errors).toBeUndefined();
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

/** What element has focus: its tag and its text. */
const focusedOn = (page: Page) =>
  page.evaluate('[document.activeElement?.tagName, document.activeElement?.textContent]');

/** A `datetime-local` input's text for a time, in UTC (the tests' browser zone). */
const localText = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 16);

describe.skipIf(!runnable)('silences and maintenance windows in the console', () => {
  it('given a firing alert, when an operator silences its device for 2 h from the alert, then the prefilled form needs only a comment, the silence is stored in their name, and its link shows it, where it can be expired', async () => {
    // Prepare
    const suffix = Date.now();
    const deviceId = `vat-${suffix}`;
    const { ruleId } = await firingAlert(deviceId, `Vat ${suffix} too hot`);
    const operator = await createUser(stack.outputs, 'operators');
    const context = await browser.newContext({
      viewport: { width: 1200, height: 900 },
      timezoneId: 'UTC',
    });
    const { page, errors } = await openConsole(context, operator);
    const item = page.locator('.alert-item', { hasText: deviceId });
    await item.waitFor();

    // Act: the prefilled form, sent without a comment
    await item.getByRole('button', { name: 'Silence this device for 2 h' }).click();
    const form = page.getByRole('form', { name: `Silence ${deviceId} for 2 h` });
    await expect.poll(() => focusedOn(page)).toEqual(['TEXTAREA', '']);
    expect(await form.getByLabel('Device').inputValue()).toBe(deviceId);
    expect(await form.getByLabel('Rule').inputValue()).toBe('');
    expect(await form.getByLabel('Duration').inputValue()).toBe('2h');
    await form.getByRole('button', { name: 'Create silence' }).click();

    // Assess: the API's message, on the comment, and nothing stored
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe(
        'input.comment is required: say why the alerts are silenced (a change, an incident, a ticket)',
      );
    expect(await form.getByLabel('Comment').getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect((await silences()).filter((s) => s.comment.includes(deviceId))).toEqual([]);

    // Act
    const before = Date.now();
    await form.getByLabel('Comment').fill(`Cleaning ${deviceId}`);
    await screenshot(page, 'silence-form');
    await form.getByRole('button', { name: 'Create silence' }).click();

    // Assess: said in the alert, focus on the word, stored as the operator's
    const note = item.locator('.notice');
    await note.getByText(/^Silenced until/).waitFor();
    await expect.poll(() => focusedOn(page)).toEqual(['P', expect.stringMatching(/^Silenced/)]);
    const [stored] = (await silences('ACTIVE')).filter((s) => s.comment === `Cleaning ${deviceId}`);
    expect(stored).toMatchObject({
      matchers: { ruleId: null, deviceId, metric: null, severities: null, labels: null },
      notifyResolved: true,
      state: 'ACTIVE',
      createdBy: operator.username,
    });
    const ends = Date.parse(stored?.endsAt as string);
    expect(ends).toBeGreaterThanOrEqual(before + 2 * HOUR_MS - 60_000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 2 * HOUR_MS);

    // Act: the silence from its link
    await note.getByRole('link', { name: 'See the silence' }).click();

    // Assess: shown above the list, and listed as active
    const shown = page.getByRole('region', { name: 'Holding an alert' });
    await shown.getByText(`Cleaning ${deviceId}`).waitFor();
    expect(await shown.textContent()).toContain(`device ${deviceId}`);
    const listed = page.locator(`.silence-list [data-silence-id="${stored?.id}"]`);
    await listed.waitFor();
    expect(await listed.getAttribute('data-state')).toBe('ACTIVE');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: end it from there
    await shown.getByRole('button', { name: 'Expire' }).click();
    await shown.getByRole('button', { name: 'Yes, expire' }).click();

    // Assess: expired in the operator's name, gone from the active list
    await shown.getByText(`expired by ${operator.username}`).waitFor();
    expect(await shown.locator('[data-silence-id]').getAttribute('data-state')).toBe('EXPIRED');
    expect(await shown.getByRole('button').count()).toBe(0);
    await listed.waitFor({ state: 'detached' });
    expect(await silence(stored?.id as string)).toMatchObject({
      state: 'EXPIRED',
      expiredBy: operator.username,
    });

    // Act: the rule, everywhere, until the prefilled morning
    await page.getByRole('banner').getByRole('link', { name: 'Alerts' }).click();
    await item.getByRole('button', { name: 'Silence this rule everywhere until …' }).click();
    const ruleForm = page.getByRole('form', { name: `Silence Vat ${suffix} too hot everywhere` });
    await expect.poll(() => ruleForm.getByLabel('Rule').inputValue()).toBe(ruleId);
    expect(await ruleForm.getByLabel('Device').inputValue()).toBe('');
    const until = await ruleForm.getByLabel('Until').inputValue();
    expect(until).toMatch(/T09:00$/);
    await ruleForm.getByLabel('Comment').fill(`Rule ${suffix} known noisy`);
    await ruleForm.getByLabel('Notify when a held alert resolves').uncheck();
    await ruleForm.getByRole('button', { name: 'Create silence' }).click();

    // Assess
    await item
      .locator('.notice')
      .getByText(/^Silenced until/)
      .waitFor();
    const [forRule] = (await silences()).filter((s) => s.comment === `Rule ${suffix} known noisy`);
    expect(forRule).toMatchObject({
      matchers: { ruleId, deviceId: null },
      endsAt: `${until}:00.000Z`,
      notifyResolved: false,
    });
    await screenshot(page, 'silence-from-alert');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given an operator on a phone, when they create a silence starting tomorrow in the Silences page and then expire it, then it is pending, then expired in their name, each tab listing it', async () => {
    // Prepare
    const suffix = Date.now();
    const metric = `pressure${suffix}`;
    const operator = await createUser(stack.outputs, 'operators');
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      timezoneId: 'UTC',
    });
    const { page, errors } = await openConsole(context, operator, '#/silences');
    const start = Math.ceil((Date.now() + 24 * HOUR_MS) / 60_000) * 60_000;

    // Act: a form the API would refuse (an end before the start), then a good one
    await page.getByRole('button', { name: 'New silence' }).click();
    const form = page.getByRole('form', { name: 'New silence' });
    await expect
      .poll(() => page.evaluate('document.activeElement?.id'))
      .toBe(await form.getByLabel('Rule').getAttribute('id'));
    await form.getByLabel('Metric').fill(metric);
    await form.getByLabel('CRITICAL').check();
    await form.getByRole('button', { name: 'Add matcher' }).click();
    await form.locator('.matcher-row').getByLabel('Label key').fill('site');
    await form.locator('.matcher-row').getByLabel('Value').fill('berlin');
    await form.getByLabel('Starts').fill(localText(start));
    await form.getByLabel('At a time').check();
    await form.getByLabel('Until').fill(localText(start - HOUR_MS));
    await form.getByLabel('Comment').fill(`Pump swap ${suffix}`);
    await form.getByRole('button', { name: 'Create silence' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toMatch(/^input\.endsAt \(.*\) must be after input\.startsAt/);
    expect(await form.getByLabel('Until').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await accessibilityProblems(page)).toEqual([]);
    await form.getByLabel('Until').fill(localText(start + 3 * HOUR_MS));
    await form.getByRole('button', { name: 'Create silence' }).click();

    // Assess: stored as typed, and listed under Pending
    await form.waitFor({ state: 'detached' });
    const [stored] = (await silences('PENDING')).filter((s) => s.comment === `Pump swap ${suffix}`);
    expect(stored).toMatchObject({
      matchers: {
        ruleId: null,
        deviceId: null,
        metric,
        severities: ['CRITICAL'],
        labels: [{ key: 'site', operator: 'EQ', values: ['berlin'] }],
      },
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 3 * HOUR_MS).toISOString(),
      createdBy: operator.username,
    });
    expect(await page.getByRole('radio', { name: 'Pending' }).isChecked()).toBe(true);
    const item = page.locator(`.silence-item[data-silence-id="${stored?.id}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain(`metric ${metric} · CRITICAL · labels site=berlin`);
    await screenshot(page, 'silences-phone');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: expire it, thinking better of it first
    await item.getByRole('button', { name: 'Expire' }).click();
    await item.getByRole('button', { name: 'Keep it' }).click();
    await expect.poll(() => focusedOn(page)).toEqual(['BUTTON', 'Expire']);
    await item.getByRole('button', { name: 'Expire' }).click();
    await item.getByRole('button', { name: 'Yes, expire' }).click();

    // Assess: gone from Pending, expired in the operator's name, listed under Expired
    await item.waitFor({ state: 'detached' });
    await expect.poll(() => focusedOn(page)).toEqual(['H1', 'Silences']);
    expect(await silence(stored?.id as string)).toMatchObject({
      state: 'EXPIRED',
      expiredBy: operator.username,
    });
    await page.getByRole('radio', { name: 'Expired' }).check();
    await item.getByText(`expired by ${operator.username}`).waitFor();
    expect(await item.getByRole('button').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given an operator, when they create a maintenance window (first with a time the API refuses), edit it and delete it in the page, then the API holds each change', async () => {
    // Prepare
    const suffix = Date.now();
    const deviceId = `line-${suffix}`;
    const operator = await createUser(stack.outputs, 'operators');
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openConsole(context, operator, '#/maintenance');

    // Act: weekdays from 9:00 (the API wants 09:00), and the weekend
    await page.getByRole('button', { name: 'New window' }).click();
    const form = page.getByRole('form', { name: 'New maintenance window' });
    await form.getByLabel('Name').fill(`Line ${suffix} works`);
    await form.getByLabel('Time zone').selectOption('America/New_York');
    const first = form.locator('.period-row[data-period="0"]');
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
      await first.getByLabel(day).check();
    }
    await first.getByLabel('From').fill('9:00');
    await first.getByLabel('To').fill('17:00');
    await form.getByRole('button', { name: 'Add period' }).click();
    const second = form.locator('.period-row[data-period="1"]');
    await second.getByLabel('Saturday').check();
    await second.getByLabel('Sunday').check();
    await second.getByLabel('From').fill('00:00');
    await second.getByLabel('To').fill('24:00');
    await form.getByLabel('Last day').fill('2099-12-31');
    await form.getByLabel('Device').fill(deviceId);
    await form.getByLabel('Notify when a held alert resolves').uncheck();
    await form.getByRole('button', { name: 'Create window' }).click();

    // Assess: the API's message, on the field
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toBe(
        `input.periods[0].start must be a time of day "HH:MM", 24-hour, from 00:00 to 23:59; got '9:00'`,
      );
    expect(await first.getByLabel('From').getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page)).toEqual([]);

    await screenshot(page, 'maintenance-window-form');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'maintenance-window-form-phone');
    await page.setViewportSize({ width: 1200, height: 900 });

    // Act
    await first.getByLabel('From').fill('09:00');
    await form.getByRole('button', { name: 'Create window' }).click();

    // Assess: listed in words, stored as typed
    const item = page.locator('.window-item', { hasText: `Line ${suffix} works` });
    await item.waitFor();
    expect(await item.locator('.periods-text li').allTextContents()).toEqual([
      'Mon–Fri 09:00–17:00',
      'Sat, Sun 00:00–24:00',
    ]);
    expect(await item.textContent()).toContain(`Mutes device ${deviceId}`);
    const [stored] = (await windows()).filter((w) => w.name === `Line ${suffix} works`);
    expect(stored).toMatchObject({
      timeZone: 'America/New_York',
      periods: [
        {
          days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'],
          start: '09:00',
          end: '17:00',
        },
        { days: ['SATURDAY', 'SUNDAY'], start: '00:00', end: '24:00' },
      ],
      startsOn: null,
      endsOn: '2099-12-31',
      matchers: { deviceId, ruleId: null },
      notifyResolved: false,
      createdBy: operator.username,
    });
    await screenshot(page, 'maintenance-windows');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: edit, running past midnight now
    await item.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit maintenance window' });
    expect(await edit.getByLabel('Time zone').inputValue()).toBe('America/New_York');
    await edit.getByLabel('Name').fill(`Line ${suffix} night works`);
    await edit.locator('.period-row[data-period="0"]').getByLabel('From').fill('22:00');
    await edit.locator('.period-row[data-period="0"]').getByLabel('To').fill('06:00');
    await edit.getByRole('button', { name: 'Remove period 2' }).click();
    await edit.getByRole('button', { name: 'Save window' }).click();

    // Assess
    const edited = page.locator(`.window-item[data-window-id="${stored?.id}"]`);
    await edited.getByText(`Line ${suffix} night works`).waitFor();
    expect(await edited.locator('.periods-text li').allTextContents()).toEqual([
      'Mon–Fri 22:00–06:00 (into the next day)',
    ]);
    await expect.poll(() => focusedOn(page)).toEqual(['BUTTON', 'Edit']);
    const window = await api<{ maintenanceWindow: Window | null }>(WINDOW, { id: stored?.id });
    expect(window.data?.maintenanceWindow).toMatchObject({
      name: `Line ${suffix} night works`,
      periods: [
        {
          days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'],
          start: '22:00',
          end: '06:00',
        },
      ],
      updatedBy: operator.username,
    });

    // Act: delete, thinking better of it first
    await edited.getByRole('button', { name: 'Delete' }).click();
    await edited.getByRole('button', { name: 'Keep it' }).click();
    await edited.getByRole('button', { name: 'Delete' }).click();
    await edited.getByRole('button', { name: 'Yes, delete' }).click();

    // Assess
    await edited.waitFor({ state: 'detached' });
    await expect.poll(() => focusedOn(page)).toEqual(['H1', 'Maintenance windows']);
    const gone = await api<{ maintenanceWindow: Window | null }>(WINDOW, { id: stored?.id });
    expect(gone.data?.maintenanceWindow).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a silence an operator created in the page for a device, when a rule fires for that device, then the alert appears live marked SILENCED, linking to that silence', async () => {
    // Prepare: the rule first, then the silence through the page
    const suffix = Date.now();
    const deviceId = `dryer-${suffix}`;
    const created = await api<{ createRule: { id: string } }>(CREATE_RULE, {
      input: {
        deviceId,
        metric: 'humidity',
        operator: 'GT',
        threshold: 30,
        name: `Dryer ${suffix}`,
      },
    });
    expect(created.errors).toBeUndefined();
    const operator = await createUser(stack.outputs, 'operators');
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openConsole(context, operator, '#/silences');
    await page.getByRole('button', { name: 'New silence' }).click();
    const form = page.getByRole('form', { name: 'New silence' });
    await form.getByLabel('Device').fill(deviceId);
    await form.getByLabel('Duration').selectOption('1h');
    await form.getByLabel('Comment').fill(`Dryer ${suffix} door open for cleaning`);
    await form.getByRole('button', { name: 'Create silence' }).click();
    await form.waitFor({ state: 'detached' });
    const [stored] = (await silences('ACTIVE')).filter(
      (s) => s.comment === `Dryer ${suffix} door open for cleaning`,
    );
    expect(stored?.matchers).toMatchObject({ deviceId });
    // Silences reach the worker within the rules' refresh time, as rules do.
    await ruleChangesApplied();
    await page.getByRole('banner').getByRole('link', { name: 'Alerts' }).click();

    // Act
    const ingested = await api(INGEST, {
      input: [{ deviceId, metric: 'humidity', value: 45, timestamp: new Date().toISOString() }],
    });
    expect(ingested.errors).toBeUndefined();

    // Assess: pushed and shown at once, marked, linking to the silence made in the page
    const item = page.locator('.alert-item', { hasText: deviceId });
    await item.waitFor({ timeout: 15_000 });
    expect(await item.getAttribute('data-status')).toBe('FIRING');
    const mark = item.getByRole('link', { name: 'SILENCED' });
    await mark.waitFor();
    expect(await mark.getAttribute('href')).toBe(`#/silences/${stored?.id}`);
    await mark.click();
    await page
      .getByRole('region', { name: 'Holding an alert' })
      .getByText(`Dryer ${suffix} door open for cleaning`)
      .waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given alerts pushed silenced (by a silence, by a maintenance window) and flapping, then the feed marks them, and each SILENCED mark links to what holds it', async () => {
    // Prepare: a silence and a window, and the page open on the feed
    const suffix = Date.now();
    const deviceId = `mixer-${suffix}`;
    const createdSilence = await api<{ createSilence: { id: string } }>(CREATE_SILENCE, {
      input: {
        matchers: { deviceId },
        endsAt: new Date(Date.now() + HOUR_MS).toISOString(),
        comment: `Mixer ${suffix} recalibration`,
      },
    });
    const createdWindow = await api<{ createMaintenanceWindow: { id: string } }>(CREATE_WINDOW, {
      input: {
        name: `Mixer ${suffix} nightly`,
        timeZone: 'UTC',
        periods: [{ days: ['MONDAY'], start: '01:00', end: '02:00' }],
        matchers: { deviceId },
      },
    });
    expect(createdSilence.errors).toBeUndefined();
    expect(createdWindow.errors).toBeUndefined();
    const silenceId = createdSilence.data?.createSilence.id as string;
    const windowId = createdWindow.data?.createMaintenanceWindow.id as string;
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const { page, errors } = await openConsole(context, {
      username: stack.outputs.LocalAdminUsername,
      password: stack.outputs.LocalAdminPassword,
    });
    const firedAt = new Date().toISOString();
    const alert = (id: string, marks: Json): Json => ({
      id,
      ruleId: `rule-${suffix}`,
      ruleName: `Mixer ${suffix} speed`,
      deviceId,
      metric: 'rpm',
      value: 1300,
      threshold: 1200,
      operator: 'GT',
      severity: 'WARNING',
      status: 'FIRING',
      reason: 'THRESHOLD',
      firedAt,
      silenced: false,
      silenceId: null,
      flapping: false,
      ...marks,
    });

    // Act
    await publishAlert(alert(`${suffix}-a`, { silenced: true, silenceId }));
    await publishAlert(alert(`${suffix}-b`, { silenced: true, silenceId: windowId }));
    await publishAlert(alert(`${suffix}-c`, { flapping: true }));

    // Assess: the marks, on the right alerts
    const item = (id: string) => page.locator(`.alert-item[data-alert-id="${suffix}-${id}"]`);
    await item('c').waitFor();
    await item('a').waitFor();
    expect(await item('a').locator('.badge.silenced').textContent()).toBe('SILENCED');
    expect(await item('a').locator('.badge.flapping').count()).toBe(0);
    expect(await item('c').locator('.badge.flapping').textContent()).toBe('FLAPPING');
    expect(await item('c').locator('.badge.silenced').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, 'alerts-silenced-flapping');

    // Act and assess: each link shows what holds the alert
    await item('a').getByRole('link', { name: 'SILENCED' }).click();
    const shown = page.getByRole('region', { name: 'Holding an alert' });
    await shown.getByText(`Mixer ${suffix} recalibration`).waitFor();
    await page.goBack();
    await item('b').getByRole('link', { name: 'SILENCED' }).click();
    await shown.getByRole('link', { name: `Mixer ${suffix} nightly` }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('given a viewer on a phone, then silences, maintenance windows and firing alerts are shown without a control to change them, and the API refuses a createSilence forged with their token', async () => {
    // Prepare: a firing alert, a silence and a window the viewer can see
    const suffix = Date.now();
    const deviceId = `kettle-${suffix}`;
    await firingAlert(deviceId, `Kettle ${suffix}`);
    const created = await api<{ createSilence: { id: string } }>(CREATE_SILENCE, {
      input: {
        matchers: { metric: `steam${suffix}` },
        endsAt: new Date(Date.now() + HOUR_MS).toISOString(),
        comment: `Steam ${suffix} tests`,
      },
    });
    expect(created.errors).toBeUndefined();
    const window = await api(CREATE_WINDOW, {
      input: {
        name: `Kettle ${suffix} descaling`,
        timeZone: 'Europe/Berlin',
        periods: [{ days: ['SUNDAY'], start: '03:00', end: '04:00' }],
        matchers: { deviceId },
      },
    });
    expect(window.errors).toBeUndefined();
    const viewer = await createUser(stack.outputs, 'viewers');
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });

    // Act
    const { page, errors } = await openConsole(context, viewer);

    // Assess: no silence controls on the firing alert
    const item = page.locator('.alert-item', { hasText: deviceId });
    await item.waitFor();
    expect(await item.getByRole('button').count()).toBe(0);

    // Assess: the silences, listed without controls
    await page.getByRole('banner').getByRole('link', { name: 'Silences' }).click();
    await page.locator(`[data-silence-id="${created.data?.createSilence.id}"]`).waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await accessibilityProblems(page)).toEqual([]);

    // Assess: the windows, listed without controls
    await page.getByRole('banner').getByRole('link', { name: 'Maintenance' }).click();
    await page.locator('.window-item', { hasText: `Kettle ${suffix} descaling` }).waitFor();
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'maintenance-viewer-phone');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Act: the viewer's own token, for a call the page does not offer
    const forged = await graphql(
      stack.outputs.GraphQLUrl,
      await pageIdToken(page),
      CREATE_SILENCE,
      {
        input: {
          matchers: { deviceId },
          endsAt: new Date(Date.now() + HOUR_MS).toISOString(),
          comment: `forged ${suffix}`,
        },
      },
    );

    // Assess: refused, and nothing stored
    expect(forged.errors?.[0]?.errorType).toBe('Unauthorized');
    expect((await silences()).map((s) => s.comment)).not.toContain(`forged ${suffix}`);
    expect(errors.filter((error) => !error.includes('Failed to load resource'))).toEqual([]);
    await context.close();
  });
});
