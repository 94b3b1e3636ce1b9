/**
 * Bad files and options, through `dreamprm import`: exit 1, one line on stderr naming the
 * file (with line:column where there is one) and what to do, and the database unchanged.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonical, jsonl, scratchDir } from '../data/helpers';
import { dreamprm, fingerprint } from './helpers';

let tmp: ReturnType<typeof scratchDir>;
let db: string;
beforeEach(async () => {
  tmp = scratchDir();
  db = join(tmp.dir, 'studio.db');
  expect((await dreamprm('import', tmp.file('seed.jsonl', jsonl([canonical()])), '--db', db)).code).toBe(0);
});
afterEach(() => tmp.cleanup());

/** `dreamprm import` with these arguments fails with exactly this line, and writes nothing. */
async function refused(args: string[], line: string | RegExp) {
  const before = fingerprint(db);
  const r = await dreamprm('import', ...args, '--db', db);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  if (typeof line === 'string') expect(r.stderr).toBe(`dreamprm: ${line}\n`);
  else expect(r.stderr).toMatch(line);
  expect(fingerprint(db)).toBe(before);
}

describe('bad files and options: exit 1, file and what to do named, store unchanged', () => {
  it('22. an empty file', async () => {
    const f = tmp.file('empty.jsonl', '\n\n');
    await refused([f], `${f}: the file is empty: expected a JSON array of records or JSONL`);
  });

  it('23. a binary file', async () => {
    const f = tmp.file('data.json', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2]));
    await refused([f], new RegExp(`^dreamprm: ${f}:1:1: not JSON: expected '\\[' \\(a JSON array of records\\) or '\\{' \\(JSONL, one record per line\\)`));
  });

  it('24. a truncated array', async () => {
    const f = tmp.file('cut.json', `[${JSON.stringify(canonical())},\n{"qid": "q2", "question": "cut`);
    await refused([f], new RegExp(`^dreamprm: ${f}:2:\\d+: unexpected end of file inside record 2 .*the file looks truncated\\n$`));
  });

  it('25. a top-level object instead of records', async () => {
    const f = tmp.file('obj.json', '{\n  "records": []\n}\n');
    await refused([f], new RegExp(`^dreamprm: ${f}:1:1: the top-level value is a JSON object spread over several lines; expected a JSON array of records`));
  });

  it('26. a file that does not exist', async () => {
    const f = join(tmp.dir, 'nope.jsonl');
    await refused([f], `file not found: ${f}`);
  });

  it('27. a folder instead of a file', async () => {
    mkdirSync(join(tmp.dir, 'folder'));
    await refused([join(tmp.dir, 'folder')], `${join(tmp.dir, 'folder')} is a folder; give a data file (.json or .jsonl)`);
  });

  it('28. --format that contradicts the content', async () => {
    const f = tmp.file('a.jsonl', jsonl([canonical()]));
    await refused(['--format', 'visualprm', f], new RegExp(`^dreamprm: ${f}:1:1: --format visualprm does not match the content: record 1 looks like jsonl .*; use --format jsonl or --format auto\\n$`));
  });

  it('29. an unknown --pool', async () => {
    await refused(['--pool', 'dev', tmp.file('a.jsonl', jsonl([canonical()]))], 'unknown pool "dev": use train, meta or test');
  });

  it('30. an unknown --on-conflict', async () => {
    await refused(['--on-conflict', 'merge', tmp.file('a.jsonl', jsonl([canonical()]))], 'unknown --on-conflict "merge": use keep, replace, fail');
  });

  it('31. --images that names a file', async () => {
    const f = tmp.file('a.jsonl', jsonl([canonical()]));
    await refused(['--images', f, f], `--images ${f} is a file; give the folder that holds the images`);
  });
});
