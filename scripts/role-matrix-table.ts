/**
 * `npm run docs:roles`: writes the role matrix (who may call what, from
 * test/support/role-matrix.ts, the table the role-matrix test holds the API to) into
 * docs/security.md between its markers. The same test file checks the document is up to date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withRoleMatrixTable } from '../test/support/role-matrix.ts';

const file = new URL('../docs/security.md', import.meta.url);
writeFileSync(file, withRoleMatrixTable(readFileSync(file, 'utf8')));
console.log('docs/security.md: role matrix written');
