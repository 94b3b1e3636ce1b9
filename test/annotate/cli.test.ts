import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotate } from '../../src-main/core/annotate/annotations';
import { setSettings } from '../../src-main/core/annotate/settings';
import { corpusDb, cotIdsByName } from '../explore/helpers';

let dir: string;
let dbPath: string;

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args, '--db', dbPath], { encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  const c = await corpusDb();
  dir = c.dir;
  dbPath = c.dbPath;
  const ids = cotIdsByName(c.db);
  setSettings(c.db, { annotator: 'Lin' });
  annotate(c.db, { cotId: ids.get('T2/c1')!, stepIdx: 0, value: 0 });
  annotate(c.db, { cotId: ids.get('T2/c1')!, value: 1 });
  c.db.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dreamprm annotations', () => {
  it('exports the annotations as JSONL', () => {
    const out = join(dir, 'labels.jsonl');
    const r = cli('annotations', 'export', '--out', out);
    expect(r.stderr).not.toMatch(/dreamprm:/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote 2 annotations to .*labels\.jsonl/);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.target, l.step, l.value, l.annotator, l.questionExtId])).toEqual([
      ['step', 0, 0, 'Lin', 'T2'],
      ['cot', null, 1, 'Lin', 'T2'],
    ]);
  });

  it('names the annotator, promotes to meta and counts, with --json', () => {
    expect(JSON.parse(cli('annotations', 'annotator', '--json').stdout)).toMatchObject({ annotator: 'Lin' });
    const p = JSON.parse(cli('annotations', 'promote', '--json').stdout);
    expect(p).toMatchObject({ domain: 'annotated', promoted: 1, fromTestPool: 1 });
    expect(JSON.parse(cli('annotations', 'stats', '--json').stdout)).toMatchObject({ stepLabels: 1, cotLabels: 1, promoted: 1 });
  });

  it('fails with a one-line reason when it cannot write the file or the name is empty', () => {
    const r = cli('annotations', 'export', '--out', join(dir, 'no', 'such', 'dir', 'x.jsonl'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^dreamprm: cannot write .*x\.jsonl: ENOENT/);
    const e = cli('annotations', 'annotator', ' ');
    expect(e.status).toBe(1);
    expect(e.stderr).toBe('dreamprm: the annotator name cannot be empty\n');
  });
});
