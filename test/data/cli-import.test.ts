import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonical, fixturesDir, jsonl, repoRoot, scratchDir, sharedFixtures } from './helpers';

let tmp: ReturnType<typeof scratchDir>;
beforeEach(() => {
  tmp = scratchDir();
});
afterEach(() => tmp.cleanup());

function dreamprm(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, DREAMPRM_HOME: tmp.dir },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SUMMARY_KEYS = [
  'file', 'format', 'records', 'imported', 'rejected', 'questions', 'cots', 'steps', 'domains', 'missingImages', 'refusedImages', 'errors',
  'status', 'skipped', 'conflicts', 'onConflict', 'missingImageExamples',
];

describe('dreamprm import', () => {
  const real = join(sharedFixtures, 'visualprm-conversations.meta_MMMU_Pro.json');
  const absent = existsSync(real) ? '' : ` (skipped: ${real} is absent)`;
  it.skipIf(!!absent)(`--json on the real MMMU-Pro meta set (images not shipped): partial, exit 0 only with --allow-partial${absent}`, () => {
    const db = join(tmp.dir, 'x.db');
    const r = dreamprm('import', '../shared/fixtures/visualprm-conversations.meta_MMMU_Pro.json', '--pool', 'meta', '--json', '--allow-partial', '--db', db);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s)).toEqual(SUMMARY_KEYS);
    expect(s).toMatchObject({ format: 'visualprm', cots: 1656, missingImages: 1656, status: 'partial', skipped: [], conflicts: [] });
    expect(s.missingImageExamples[0]).toEqual({ record: 1, field: 'image', path: '../data/meta_images/test_Art_113.png' });
    expect(Object.keys(s.domains)).toContain('Computer_Science');
  });

  it('prints a readable report; missing images make it partial (exit 2); the second time nothing is new', () => {
    const db = join(tmp.dir, 'x.db');
    const first = dreamprm('import', join(fixturesDir, 'visualprm.jsonl'), '--db', db);
    expect(first.code).toBe(2);
    expect(first.stdout).toBe(
      [
        `${join(fixturesDir, 'visualprm.jsonl')} (visualprm): 2 records read: 2 imported, 0 skipped, 0 already in the database`,
        'Added 2 questions, 2 CoTs, 5 steps.',
        'New CoTs per domain: Art 1, Computer_Science 1',
        'Images:',
        '  2 image files not found (record 1 image: images/cs_12.png; record 2 image: images/art_113.png): those records are stored ' +
          'without them. Give --images (the Images folder) the folder that holds them and import the file again: the references are filled in.',
        'Partial import (exit status 2): fix what is listed and import the file again (only what is new is added), or pass --allow-partial to accept it as it is.',
        '',
      ].join('\n'),
    );
    const whole = tmp.file('whole.jsonl', jsonl([canonical(), canonical({ qid: 'q2' })]));
    expect(dreamprm('import', whole, '--db', db).code).toBe(0);
    const twice = dreamprm('import', whole, '--db', db);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toBe(
      `${whole} (jsonl): 2 records read: 0 imported, 0 skipped, 2 already in the database\nNothing new: every record of this file is already in the database.\n`,
    );
  });

  it('--strict with an invalid record: exit code 1, the reason on stderr, the summary with its errors on stdout', () => {
    const path = tmp.file('a.jsonl', jsonl([canonical(), canonical({ qid: 'b', steps: [] })]));
    const r = dreamprm('import', path, '--strict', '--json', '--db', join(tmp.dir, 'x.db'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dreamprm: --strict: 1 problem in .*a\.jsonl \(1 invalid of 2 records\); nothing was imported\./);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: 0, rejected: 1, errors: [{ record: 2, field: 'steps' }] });
  });

  it('a malformed file: exit code 1 and one line naming file, line and column', () => {
    const path = tmp.file('bad.json', '[{"qid": "a",]');
    const r = dreamprm('import', path, '--db', join(tmp.dir, 'x.db'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`dreamprm: ${path}:1:14: in record 1: ']' does not match the open '{'\n`);
  });
});
