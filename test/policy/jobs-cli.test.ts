import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planGenerateJob } from '../../src-main/core/policy/jobs';
import { openDb } from '../../src-main/core/store/db';
import { generateConfig, seedQuestions } from './fixtures';

const repoRoot = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'dreamprm-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dreamprm(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dreamprm jobs', () => {
  it('lists planned jobs with their counters, cancels one, and refuses unknown ids', () => {
    const path = join(dir, 'jobs.db');
    const db = openDb(path);
    seedQuestions(db, 'test', 'BenchA', 3);
    const { jobId } = planGenerateJob(db, { ...generateConfig('http://127.0.0.1:9', 2), perRequest: 2 });
    db.close();

    const list = dreamprm('jobs', '--json', '--db', path);
    expect(list.code).toBe(0);
    const { jobs } = JSON.parse(list.stdout);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ jobId, kind: 'generate', counters: { total: 3, done: 0, pending: 3 } });
    expect(dreamprm('jobs', '--db', path).stdout).toContain(`generate job ${jobId}`);

    expect(dreamprm('jobs', '--cancel', String(jobId), '--db', path).code).toBe(0);
    const missing = dreamprm('jobs', '--cancel', '999', '--db', path);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('dreamprm: no job 999\n');
    expect(dreamprm('jobs', '--kind', 'x', '--db', path).stderr).toMatch(/--kind must be one of generate, label, embed, score/);
  });
});
