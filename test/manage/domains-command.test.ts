/** `dreamprm domains exclude|include`: keep domains out of training from the CLI, as the app's Domains page does. */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/core/store/db';
import { corpusDb } from '../explore/helpers';

let dir: string;
let dbPath: string;

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args, '--db', dbPath], { encoding: 'utf8', timeout: 60_000 });

const excludedNames = () => {
  const db = openDb(dbPath);
  try {
    return db.prepare('SELECT name FROM domains WHERE excluded = 1 ORDER BY name').pluck().all();
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  const c = await corpusDb();
  dir = c.dir;
  dbPath = c.dbPath;
  c.db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dreamprm domains', () => {
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
