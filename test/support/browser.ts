import { AxeBuilder } from '@axe-core/playwright';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { consoleDist } from '../../local/console-server.ts';

/** The system's Chromium (Debian's `chromium` package); never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests leave their screenshots. */
export const artifactsDir = resolve(import.meta.dirname, '../../test-results/console');

/**
 * Whether the browser tests can run here. CI installs Chromium, so there a missing browser
 * or console build is a failure; elsewhere the tests are skipped with the reason printed.
 */
export function browserTestsRunnable(): boolean {
  const missing = [
    existsSync(chromiumPath) ? null : `no Chromium at ${chromiumPath} (apt-get install chromium)`,
    existsSync(join(consoleDist, 'index.html'))
      ? null
      : 'the console is not built (npm run build:console)',
  ].filter(Boolean);
  if (missing.length === 0) return true;
  if (process.env.CI) throw new Error(`Browser tests cannot run: ${missing.join('; ')}`);
  console.warn(`Skipping the console's browser tests: ${missing.join('; ')}`);
  return false;
}

/** Headless Chromium with the network features that would reach out to the internet off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot as a test artifact and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Errors the page logged or threw, so a test can assert there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/**
 * WCAG 2.1 A and AA problems axe-core finds on the page as it is now, one line each
 * (rule, impact, the elements), so a failing test says what to fix.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
        .map((node) => node.target.join(' '))
        .join(', ')}`,
  );
}
