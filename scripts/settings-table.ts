/** `npm run docs:settings`: rewrites README.md's settings table from the config schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withSettingsTable } from '../src-main/cli/settings-table';

const path = join(import.meta.dirname, '..', 'README.md');
const before = readFileSync(path, 'utf8');
const after = withSettingsTable(before);
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? 'README.md: settings table already up to date\n' : 'README.md: settings table rewritten\n');
