import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src-main/core/store/db';
import { jobProgress } from '../../src-main/core/policy/jobs';
import { startFakeServer, type FakeServer } from './fake-server';
import { fakePolicy, requestPrompts, seedCot, seedQuestions } from './fixtures';
import { runCli } from './run-cli';

let server: FakeServer | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await server?.close();
});

/** The real CLI; the child is kept so that a test that fails midway does not leave it running. */
const cli = (args: string[], onSpawn?: (c: ChildProcess) => void) =>
  runCli(args, {}, (c) => {
    child = c;
    onSpawn?.(c);
  });

/**
 * SIGKILLs the CLI when its request number `after` arrives, then runs the same command
 * again: the plain re-run must resume the job, send exactly the requests that were not done
 * (per prompt, counting the server's hits), and complete the results.
 */
async function killThenResume(kind: 'generate' | 'label', seed: (dbPath: string) => void, args: string[], after: number) {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'kill-')), 'studio.db');
  seed(dbPath);
  let arrived = 0;
  let victim: ChildProcess | undefined;
  server = await startFakeServer(async (r) => {
    // A request is sent only after its worker stored the previous reply, so when request
    // `after` arrives at least after - concurrency replies are stored: kill right then.
    if (++arrived === after) victim?.kill('SIGKILL');
    return { ...fakePolicy(r), delayMs: 20 };
  });
  const common = ['--db', dbPath, '--base-url', server.url, '--model', 'fake-vl', '--concurrency', '2', '--retries', '0'];
  const killed = await cli([kind, ...args, ...common], (c) => (victim = c));
  expect(killed.signal).toBe('SIGKILL');

  const db = openDb(dbPath);
  const jobId = db.prepare(`SELECT id FROM jobs WHERE kind = ?`).pluck().get(kind) as number;
  expect(jobProgress(db, jobId).status).toBe('interrupted');
  const done = new Set(db.prepare(`SELECT key FROM job_requests WHERE job_id = ? AND status = 'done'`).pluck().all(jobId) as string[]);
  const prompts = requestPrompts(db, jobId);
  db.close();
  expect(done.size).toBeGreaterThan(0);
  expect(done.size).toBeLessThan(prompts.length);
  const hitsAtKill = new Map(server.hits);

  const resumed = await cli([kind, ...args, ...common, '--json']);
  expect(resumed.stderr).toContain(`resuming unfinished ${kind} job ${jobId}`);
  expect(resumed.code).toBe(0);
  const report = JSON.parse(resumed.stdout) as { status: string; counters: { done: number; total: number } };
  expect(report.status).toBe('completed');
  expect(report.counters.done).toBe(prompts.length);

  const open = new Map<string, number>();
  for (const r of prompts) if (!done.has(r.key)) open.set(r.prompt, (open.get(r.prompt) ?? 0) + 1);
  for (const [prompt, n] of server.hits) expect(n - (hitsAtKill.get(prompt) ?? 0), prompt).toBe(open.get(prompt) ?? 0);
  return dbPath;
}

describe('kill -9 in the middle, then resume', () => {
  it('generate: no finished request is redone and every question gets its N CoTs once', async () => {
    const dbPath = await killThenResume(
      'generate',
      (p) => {
        const db = openDb(p);
        seedQuestions(db, 'test', 'BenchA', 16);
        db.close();
      },
      ['--pool', 'test', '--n', '3'],
      5,
    );
    const db = openDb(dbPath);
    const perQuestion = db.prepare(`SELECT count(*) FROM cots GROUP BY question_id`).pluck().all() as number[];
    expect(perQuestion).toEqual(Array(16).fill(3));
    expect(db.prepare(`SELECT count(DISTINCT ext_id) FROM cots`).pluck().get()).toBe(48 / 16);
    db.close();
  });

  it('label: every step prefix ends up with exactly K rollouts', async () => {
    const dbPath = await killThenResume(
      'label',
      (p) => {
        const db = openDb(p);
        const qs = seedQuestions(db, 'train', 'chartqa', 4);
        qs.forEach((q, i) => seedCot(db, q, `c${i}`, ['Step 1: look', 'Step 2: add', 'Step 3: check', 'Step 4: recheck']));
        db.close();
      },
      ['--k', '4', '--per-request', '2'],
      6,
    );
    const db = openDb(dbPath);
    const labels = db.prepare(`SELECT mc, k FROM steps ORDER BY cot_id, idx`).all() as { mc: number; k: number }[];
    expect(labels).toHaveLength(16);
    // prefix of t steps: each batch of 2 loses (t % 2) rollouts
    expect(labels.map((l) => l.mc)).toEqual(Array(4).fill([0.5, 1, 0.5, 1]).flat());
    expect(labels.every((l) => l.k === 4)).toBe(true);
    db.close();
  });
});
