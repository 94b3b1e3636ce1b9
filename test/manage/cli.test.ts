/** `dreamprm delete`, `browse`, `domains` and `runs tag`, and read-only commands that refuse a missing --db instead of creating it. */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { counterProgress } from '../../src-main/cli/common';
import { openDb } from '../../src-main/core/store/db';
import { corpusDb } from '../explore/helpers';

let dir: string;
let dbPath: string;

const cli = (args: string[], db = dbPath) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args, '--db', db], { encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  const c = await corpusDb();
  dir = c.dir;
  dbPath = c.dbPath;
  c.db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dreamprm delete', () => {
  it('shows what goes and deletes nothing without --yes when it cannot ask', () => {
    const r = cli(['delete', 'domain', 'bench']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/deleting domain "bench" \(test pool\) removes: 1 domains, 3 questions, 9 CoTs, 18 steps/);
    expect(r.stderr).toMatch(/nothing deleted: add --yes to confirm/);
    expect(cli(['browse', '--json']).stdout).toMatch(/"name":"bench"/);
  });

  it('deletes with --yes, and then the domain is gone', () => {
    const r = cli(['delete', 'domain', 'bench', '--yes', '--json']);
    expect(r.stderr).not.toMatch(/dreamprm:/);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: { kind: 'domain' }, name: 'domain "bench" (test pool)' });
    expect(cli(['browse', '--json']).stdout).not.toMatch(/"name":"bench"/);
  });

  it('refuses an unknown kind and an unknown id with a sentence', () => {
    expect(cli(['delete', 'table', '3']).stderr).toMatch(/"table" is not one of source, domain, run, evaluation, import/);
    expect(cli(['delete', 'run', '42', '--yes']).stderr).toMatch(/no run with id 42/);
  });
});

describe('dreamprm browse', () => {
  it('lists domains, a domain\'s questions, and a question with its CoTs and labels', () => {
    expect(cli(['browse']).stdout).toMatch(/alpha\s+train\s+3\s+6/);
    const list = cli(['browse', '--domain', 'alpha', '--limit', '2']);
    expect(list.stdout).toMatch(/alpha \(train pool\): 3 questions/);
    const id = /\n(\d+)\s+alpha-q1/.exec(list.stdout)![1];
    const q = cli(['browse', '--question', id]);
    expect(q.stdout).toMatch(/question \d+ "alpha-q1" in alpha \(train pool\)/);
    expect(q.stdout).toMatch(/1\. \[m 0\.75 k 4\] Step 1 reads the chart/);
  });
});

describe('dreamprm runs tag', () => {
  it('refuses a run that does not exist', () => {
    expect(cli(['runs', 'tag', '7', 'paper']).stderr).toMatch(/run 7 does not exist/);
  });
});

describe('a misspelt --db', () => {
  it('is an error for commands that only read, and no file is created', () => {
    const typo = join(dir, 'stuido.db');
    for (const args of [['runs', 'list'], ['browse'], ['eval', '--run', '1'], ['delete', 'run', '1', '--yes']]) {
      const r = cli(args, typo);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`no database at ${typo} (nothing was created): check the --db path`);
    }
    expect(existsSync(typo)).toBe(false);
  });
});

describe('progress without a terminal', () => {
  it('writes whole lines at each tenth, never carriage returns', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const p = counterProgress('scoring candidates', false);
    for (let i = 0; i <= 100; i++) p.update(i, 100);
    p.done();
    const out = write.mock.calls.map((c) => String(c[0])).join('');
    write.mockRestore();
    expect(out).not.toMatch(/\r/);
    expect(out.split('\n').filter(Boolean)).toHaveLength(11);
    expect(out).toMatch(/^scoring candidates 0\/100\n/);
  });
});

describe('dreamprm domains (the app\'s Domains page from the command line)', () => {
  const excludedNames = () => {
    const db = openDb(dbPath);
    try {
      return db.prepare('SELECT name FROM domains WHERE excluded = 1 ORDER BY name').pluck().all();
    } finally {
      db.close();
    }
  };

  it('excludes domains by name and says what changed', () => {
    const r = cli(['domains', 'exclude', 'alpha']);
    expect(r.stderr).not.toMatch(/dreamprm:/);
    expect(r.stdout).toMatch(/alpha \(train pool, 6 CoTs\): excluded from training/);
    expect(excludedNames()).toEqual(['alpha']);
  });

  it('changes nothing when one of the names is unknown', () => {
    const r = cli(['domains', 'exclude', 'beta', 'gamma']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no domain named "gamma"/);
    expect(excludedNames()).toEqual(['alpha']);
  });

  it('brings a domain back by id and prints JSON with --json', () => {
    const db = openDb(dbPath);
    const id = db.prepare("SELECT id FROM domains WHERE name = 'alpha'").pluck().get() as number;
    db.close();
    const r = cli(['domains', 'include', String(id), '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject([{ name: 'alpha', excluded: false }]);
    expect(excludedNames()).toEqual([]);
  });
});
