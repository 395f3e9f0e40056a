import type { Browser } from 'playwright-core';
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
import { signInOnPage } from '../support/console-users.ts';
import { queueDrained, stackApi, startTestStack } from '../support/local-stack.ts';
import { createUser } from '../support/users.ts';

// "Test this rule" in the console's rule form: a draft, before it is saved, replayed over the
// device's stored readings (backtestRule); the would-be episodes drawn on the chart and listed.

const INGEST = `mutation Ingest($input: [EventInput!]!) { ingestEvents(input: $input) { accepted } }`;
const RULES = `query Rules { rules(limit: 1000) { items { name } } }`;

const runnable = browserTestsRunnable();
let stack: LocalStack;
let browser: Browser;
const api = stackApi(() => stack);

beforeAll(async () => {
  if (!runnable) return;
  stack = await startTestStack({ ports: await freeStackPorts({ console: true }) });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe.skipIf(!runnable)('Test this rule, in Chromium', () => {
  it('given a kiln that ran hot twice in the last hour, when an operator tests a draft rule in the form, then the two would-be episodes are drawn on the chart and listed, and no rule is saved', async () => {
    // Prepare: readings of the last hour, stored
    const deviceId = `kiln-${Date.now()}`;
    const start = Date.now() - 50 * 60_000;
    const values = [50, 61, 75, 40, 65, 70];
    const ingested = await api(INGEST, {
      input: values.map((value, i) => ({
        id: `r${i}`,
        deviceId,
        metric: 'temperature',
        value,
        timestamp: new Date(start + i * 5 * 60_000).toISOString(),
      })),
    });
    expect(ingested.errors).toBeUndefined();
    await queueDrained(stack);
    const operator = await createUser(stack.outputs, 'operators');
    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto(`${stack.outputs.ConsoleUrl}#/rules`);
    await signInOnPage(page, operator);

    // Act: a draft, with a threshold the API would refuse, tested
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    const name = `Kiln too hot ${deviceId}`;
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Metric', { exact: true }).fill('temperature');
    await form.getByLabel('One device').check();
    await form.getByLabel('Device', { exact: true }).fill(deviceId);
    await form.getByLabel('Threshold', { exact: true }).fill('hot');
    await form.getByRole('button', { name: 'Test this rule' }).click();
    const test = form.getByRole('region', { name: 'Test this rule' });
    await test.getByLabel('Readings of').selectOption({ label: 'Last hour' });
    await test.getByRole('button', { name: 'Run test' }).click();

    // Assess: the draft's problem, said in the test
    await expect
      .poll(() => test.getByRole('alert').textContent())
      .toBe('Fix the rule first: input.threshold must be a finite number; got hot');

    // Act: a threshold it takes
    await form.getByLabel('Threshold', { exact: true }).fill('60');
    await test.getByRole('button', { name: 'Run test' }).click();

    // Assess: two episodes, on the chart and in the list; nothing saved
    await expect
      .poll(() => test.getByRole('status').textContent())
      .toBe('2 episodes would have fired on 1 device: 6 readings of 1 device replayed.');
    const chart = test.locator('figure.chart[data-metric="temperature"]');
    expect(await chart.locator('rect.episode').count()).toBe(2);
    expect(await chart.locator('line.rule-line.threshold').getAttribute('data-value')).toBe('60');
    expect(await chart.locator('svg desc').textContent()).toContain('2 alert episodes');
    const episodes = test.getByRole('list', { name: 'Episodes the rule would have fired' });
    const items = episodes.getByRole('listitem');
    expect(await items.count()).toBe(2);
    expect(await items.nth(0).textContent()).toMatch(/fired at 61, peak 75, 2 readings breaching$/);
    expect(await items.nth(1).textContent()).toMatch(
      /the end of the range \(still open\): fired at 65, peak 70, 2 readings breaching$/,
    );
    await screenshot(page, 'rule-test');
    expect(await accessibilityProblems(page)).toEqual([]);
    const rules = await api<{ rules: { items: { name: string | null }[] } }>(RULES);
    expect(rules.data?.rules.items).not.toContainEqual({ name });
    expect(errors).toEqual([]);
  });
});
