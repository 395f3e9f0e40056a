/**
 * `npm run docs:settings`: writes the settings' table, from their declarations in
 * infra/settings.ts, into docs/configuration.md between its markers. A unit test checks the
 * file is up to date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTable } from '../infra/settings.ts';

const file = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(file, withSettingsTable(readFileSync(file, 'utf8')));
console.log('docs/configuration.md: settings table written');
