import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseSetting,
  SettingError,
  settings,
  withSettingsTable,
} from '../../../infra/settings.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;

describe('settings', () => {
  it('given no value, then each setting with a default takes it', () => {
    expect(parseSetting('RETENTION_DAYS', undefined)).toBe(90);
    expect(parseSetting('RULES_REFRESH_MS', '')).toBe(2000);
    expect(parseSetting('ALERT_EMAILS', undefined)).toEqual(['oncall@example.com']);
    expect(parseSetting('LOCAL_EPHEMERAL', undefined)).toBe(false);
    expect(parseSetting('LOG_LEVEL', undefined)).toBe('WARN');
  });

  it('given a whole-number setting without a default, then it is unset until given', () => {
    expect(parseSetting('authorizerReservedConcurrency', undefined)).toBeUndefined();
    expect(parseSetting('authorizerReservedConcurrency', '50')).toBe(50);
    expect(() => parseSetting('authorizerReservedConcurrency', '0')).toThrow(
      "Context authorizerReservedConcurrency must be a whole number from 1 to 10000; got '0'",
    );
  });

  it('given a port setting with no value, then it follows PORT', () => {
    const env: Record<string, string> = { PORT: '5000' };
    expect(parseSetting('HTTPS_PORT', undefined, (name) => env[name])).toBe(5001);
    expect(parseSetting('INBOX_PORT', undefined, (name) => env[name])).toBe(5080);
    expect(parseSetting('INBOX_PORT', undefined)).toBe(4080);
    expect(parseSetting('INBOX_PORT', '6000', (name) => env[name])).toBe(6000);
  });

  it('given values, then each is parsed by its kind', () => {
    expect(parseSetting('ALERT_EMAILS', ' a@example.com, ,b@example.com ')).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
    expect(parseSetting('LOCAL_EPHEMERAL', '1')).toBe(true);
    expect(parseSetting('console', 'false')).toBe(false);
    expect(parseSetting('GRAPHQL_URL', 'http://localhost:4000/graphql')).toBe(
      'http://localhost:4000/graphql',
    );
  });

  it.each([
    [
      'RETENTION_DAYS',
      'soon',
      "Environment variable RETENTION_DAYS must be a whole number from 1 to 3650; got 'soon'",
    ],
    ['RETENTION_DAYS', '0', 'must be a whole number from 1 to 3650'],
    ['RULES_REFRESH_MS', '2.5', 'must be a whole number'],
    [
      'DELIVERY_LEASE_SECONDS',
      '5',
      "Environment variable DELIVERY_LEASE_SECONDS must be a whole number from 10 to 900; got '5'",
    ],
    [
      'PORT',
      '70000',
      "Environment variable PORT must be a whole number from 1 to 65535; got '70000'",
    ],
    [
      'LOCAL_EPHEMERAL',
      'yes',
      "Environment variable LOCAL_EPHEMERAL must be true or false; got 'yes'",
    ],
    ['LOG_LEVEL', 'LOUD', 'must be one of DEBUG, INFO, WARN, ERROR, SILENT'],
    [
      'workerBatchSize',
      '0',
      "Context workerBatchSize must be a whole number from 1 to 10000; got '0'",
    ],
    ['GRAPHQL_URL', undefined, 'Missing environment variable GRAPHQL_URL: the API'],
  ] as const)('given %s=%s, then it is refused by name', (name, raw, message) => {
    expect(() => parseSetting(name, raw)).toThrow(SettingError);
    expect(() => parseSetting(name, raw)).toThrow(message);
  });

  it('given a required setting, then the message says what it is', () => {
    expect(() => parseSetting('RULES_TABLE', undefined)).toThrow(
      'the rules table; set by the stack',
    );
  });
});

/** Source files of the product: what runs in AWS or in `npm start`, not tests or benchmarks. */
function productFiles(): string[] {
  const roots = [
    'adapters',
    'domain',
    'infra',
    'local',
    'resolvers',
    'scripts',
    'workers',
    'console/src',
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|tsx|js)$/.test(entry)) files.push(relative(repoRoot, path));
    }
  };
  for (const root of roots) walk(join(repoRoot, root));
  return files;
}

describe('where settings are read', () => {
  it('given the product code, then only the configuration module reads the environment', () => {
    // local/stack.ts sets the functions' environment for the in-process handlers, as Lambda does.
    const allowed = new Set(['adapters/config.ts', 'local/stack.ts']);
    const readers = productFiles().filter(
      (file) =>
        !allowed.has(file) && readFileSync(join(repoRoot, file), 'utf8').includes('process.env'),
    );
    expect(readers).toEqual([]);
  });

  it('given the stack, then it sets the functions no environment variable that is not declared', () => {
    const local = readFileSync(join(repoRoot, 'local/stack.ts'), 'utf8');
    const assigned = [...local.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]);
    // The SDK's own variables: credentials and the emulators' endpoints.
    const sdk = /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|ENDPOINT_URL_\w+)$/;
    const undeclared = assigned.filter((name) => !(name! in settings) && !sdk.test(name!));
    expect(undeclared).toEqual([]);
  });

  it('given docs/configuration.md, then its settings table is the one the declarations make', () => {
    const document = readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');
    // Regenerate with: npm run docs:settings
    expect(withSettingsTable(document)).toBe(document);
  });
});
