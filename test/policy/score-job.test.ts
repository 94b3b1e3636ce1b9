import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importScores } from '../../src-main/core/export/import-scores';
import { getJob } from '../../src-main/core/store/jobs-store';
import { openDb, type Db } from '../../src-main/core/store/db';
import { goodProbability, QWEN_PRM_STEP_TAG, QWEN_PRM_SYSTEM, VISUALPRM_SYSTEM } from '../../src-main/core/policy/prm-requests';
import { planScoreJob, type ScoreConfig } from '../../src-main/core/policy/score-job';
import { runPolicyJob } from '../../src-main/core/policy/jobs';
import { chatReply, startFakeServer, type FakeServer } from './fake-server';
import { judgedStep, logprobReply, poolingReply } from './fake-models';
import { seedCot, seedQuestions } from './fixtures';

let server: FakeServer | undefined;
let db: Db | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = db = dir = undefined;
});

const fast = () => ({ client: { backoffMs: 1, maxAttempts: 2, concurrency: 3 }, baseUrl: server!.url });

function scoreConfig(baseUrl: string, over: Partial<ScoreConfig> = {}): ScoreConfig {
  return {
    endpoint: { baseUrl, model: 'fake-prm' },
    mode: 'generative',
    input: 'multimodal',
    system: VISUALPRM_SYSTEM,
    goodToken: '+',
    badToken: '-',
    topLogprobs: 20,
    stepTag: QWEN_PRM_STEP_TAG,
    rewardPath: '/pooling',
    label: 'VisualPRM (fake)',
    agg: 'logodds',
    missingImages: 'fail',
    ...over,
  };
}

/** Three test questions with three candidates each; a WRONG step makes a candidate wrong. */
function seedTest(d: Db): number[] {
  const qs = seedQuestions(d, 'test', 'BenchA', 3);
  const cots: number[] = [];
  qs.forEach((q, i) => {
    cots.push(seedCot(d, q, `${i}-a`, ['Step 1: read', 'Step 2: add', 'Final answer: 13'], [1, 1, 1], { answer: '13', correct: true }));
    cots.push(seedCot(d, q, `${i}-b`, ['Step 1: read', 'Step 2: WRONG add', 'Final answer: 14'], [1, 0, 0], { answer: '14', correct: false }));
    cots.push(seedCot(d, q, `${i}-c`, [`Step 1: WRONG look ${i}`, 'Final answer: 12'], [0, 0], { answer: '12', correct: false }));
  });
  return cots;
}

/** The fake PRM's belief: wrong steps are bad, later steps a little less sure. */
const pOf = (step: string, turn: number) => (step.includes('WRONG') ? 0.2 : 0.9) - 0.05 * turn;

const fakeGenerative = (r: { path: string; body: { messages: never[] } }) => {
  const { step, turn } = judgedStep(r.body.messages);
  return { body: logprobReply(pOf(step, turn)) };
};

function rowsOf(d: Db, evaluationId: number) {
  const report = JSON.parse(d.prepare(`SELECT report FROM evaluations WHERE id = ?`).pluck().get(evaluationId) as string);
  delete report.seconds;
  return {
    evaluation: { ...(d.prepare(`SELECT run_id, label, agg FROM evaluations WHERE id = ?`).get(evaluationId) as object), report },
    candidates: d.prepare(`SELECT cot_id, question_id, step_scores, score FROM eval_candidates WHERE evaluation_id = ? ORDER BY cot_id`).all(evaluationId),
    choices: d.prepare(`SELECT question_id, agg, chosen_cot_id, correct FROM eval_choices WHERE evaluation_id = ? ORDER BY question_id, agg`).all(evaluationId),
  };
}

describe('score job', () => {
  it('asks a generative PRM about every step in the VisualPRM conversation and stores P(+) as an evaluation', async () => {
    server = await startFakeServer((r) => fakeGenerative(r as never));
    db = openDb(':memory:');
    const cots = seedTest(db);
    const plan = planScoreJob(db, scoreConfig(server.url));
    expect(plan).toMatchObject({ candidates: 9, steps: 24, requests: 24, skipped: 0 });
    const p = await runPolicyJob(db, plan.jobId, fast());
    expect(p.status).toBe('completed');

    const third = server.requests.find((r) => r.body.messages.length === 6 && r.prompt === 'Final answer: 13')!;
    expect(third.body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(third.body.messages[0].content).toBe(VISUALPRM_SYSTEM);
    expect(third.body.messages[1].content).toEqual([
      { type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/png;base64,/) } },
      { type: 'text', text: '### Question:\nWhat is 3 plus 10? [q0]\n\n### Solution Process:\nStep 1: read' },
    ]);
    expect(third.body.messages[2]).toEqual({ role: 'assistant', content: '+' });
    expect(third.body).toMatchObject({ max_tokens: 1, temperature: 0, logprobs: true, top_logprobs: 20 });

    const evaluationId = (getJob(db, plan.jobId)!.summary as { evaluationId: number }).evaluationId;
    const stored = db.prepare(`SELECT step_scores FROM eval_candidates WHERE evaluation_id = ? AND cot_id = ?`).pluck();
    const scoresOf = (cot: number) => Array.from(new Float32Array(new Uint8Array(stored.get(evaluationId, cot) as Buffer).buffer));
    expect(scoresOf(cots[0])).toEqual(Array.from(Float32Array.from([0.9, 0.85, 0.8])));
    expect(scoresOf(cots[1])).toEqual(Array.from(Float32Array.from([0.9, 0.15, 0.8])));
    const report = rowsOf(db, evaluationId).evaluation.report;
    expect(report).toMatchObject({ runId: null, label: 'VisualPRM (fake)', agg: 'logodds' });
    expect(report.average.bon.logodds).toBe(100);
    // the final line after a wrong step is labelled wrong, but this PRM believes it (0.8)
    expect(report.average.stepAuroc).toBe(0.875);
  });

  it('gives exactly the evaluation rows import-scores gives for the same scores', async () => {
    server = await startFakeServer((r) => fakeGenerative(r as never));
    db = openDb(':memory:');
    seedTest(db);
    const plan = planScoreJob(db, scoreConfig(server.url));
    await runPolicyJob(db, plan.jobId, fast());
    const fromJob = (getJob(db, plan.jobId)!.summary as { evaluationId: number }).evaluationId;

    // The same PRM's scores, worked out from the steps, written as an import-scores file.
    const steps = db.prepare(`SELECT cot_id AS c, idx, text FROM steps ORDER BY cot_id, idx`).all() as { c: number; idx: number; text: string }[];
    const byCot = new Map<number, number[]>();
    for (const s of steps) byCot.set(s.c, [...(byCot.get(s.c) ?? []), pOf(s.text, s.idx)]);
    dir = mkdtempSync(join(tmpdir(), 'dreamprm-score-'));
    const file = join(dir, 'scores.jsonl');
    writeFileSync(file, [...byCot].map(([cotId, scores]) => JSON.stringify({ cotId, scores })).join('\n'));
    const imported = await importScores(db, file, { label: 'VisualPRM (fake)' });

    expect(imported.evaluation.evaluationId).not.toBe(fromJob);
    expect(rowsOf(db, fromJob)).toEqual(rowsOf(db, imported.evaluation.evaluationId));
  });

  it('stores nothing while a step has failed; a resume asks only the failed steps and then stores one evaluation', async () => {
    let broken = true;
    server = await startFakeServer((r) => {
      const { step } = judgedStep(r.body.messages as never);
      if (broken && step.includes('WRONG look 1')) return { status: 503, body: { error: { message: 'busy' } } };
      return fakeGenerative(r as never);
    });
    db = openDb(':memory:');
    seedTest(db);
    const plan = planScoreJob(db, scoreConfig(server.url));
    const first = await runPolicyJob(db, plan.jobId, fast());
    expect(first.status).toBe('failed');
    expect(first.counters).toMatchObject({ done: 23, failed: 1 });
    expect(db.prepare(`SELECT count(*) FROM evaluations`).pluck().get()).toBe(0);
    expect(getJob(db, plan.jobId)!.summary).not.toHaveProperty('evaluationId');

    broken = false;
    const before = server.requests.length;
    const second = await runPolicyJob(db, plan.jobId, fast());
    expect(second.status).toBe('completed');
    expect(server.requests.length - before).toBe(1);
    expect(db.prepare(`SELECT count(*) FROM evaluations`).pluck().get()).toBe(1);
  });

  it('fails the job, not the app, when the PRM gives no usable logprobs, and when the test pool changed before the end', async () => {
    server = await startFakeServer((r) => (r.prompt.includes('WRONG look 2') ? { body: chatReply(['+']) } : fakeGenerative(r as never)));
    db = openDb(':memory:');
    const cots = seedTest(db);
    const p = await runPolicyJob(db, planScoreJob(db, scoreConfig(server.url)).jobId, fast());
    expect(p.error).toMatch(/the reply has no logprobs: the server must support "logprobs" and "top_logprobs"/);

    await server.close();
    server = await startFakeServer((r) => fakeGenerative(r as never));
    const plan = planScoreJob(db, scoreConfig(server.url));
    db.prepare(`INSERT INTO cots (question_id, ext_id, answer, correct, n_steps) SELECT question_id, 'late', '13', 1, 1 FROM cots WHERE id = ?`).run(cots[0]);
    const q = await runPolicyJob(db, plan.jobId, fast());
    expect(q.status).toBe('failed');
    expect(q.error).toMatch(/every request is done, but the last step failed: 1 of 10 test candidates have no scores in score job \d+.*plan a new score job/s);
  });

  it('scores a reward PRM over the pooling API: one request per CoT, the step tag after each step', async () => {
    server = await startFakeServer((r) => {
      if (r.path !== '/pooling') return { status: 404, body: { error: { message: 'no route' } } };
      const steps = r.prompt.split(QWEN_PRM_STEP_TAG).slice(0, -1);
      if (steps.some((s) => s.includes('look 2'))) return { body: poolingReply([0.5, 0.5, 0.5]) }; // one reward too many
      return { body: poolingReply(steps.map((s, i) => pOf(s, i))) };
    });
    db = openDb(':memory:');
    seedTest(db);
    const base = `${server.url}`; // .../v1: the pooling API is at the server's root
    const plan = planScoreJob(db, scoreConfig(base, { mode: 'reward', input: 'text', system: QWEN_PRM_SYSTEM, poolingTask: 'token_classify' }));
    expect(plan.requests).toBe(9);
    const p = await runPolicyJob(db, plan.jobId, fast());
    expect(p.counters).toMatchObject({ done: 8, failed: 1 });
    expect(p.error).toMatch(/the PRM returned 3 step rewards for 2 steps/);
    const r = server.requests[0];
    expect(r.body.messages).toEqual([
      { role: 'system', content: QWEN_PRM_SYSTEM },
      { role: 'user', content: expect.stringMatching(/^What is \d+ plus \d+\? \[q\d\]$/) },
      { role: 'assistant', content: expect.stringMatching(/^Step 1: [^<]*<extra_0>.*<extra_0>$/) },
    ]);
    expect(r.images).toEqual([]);
    expect(r.body).toMatchObject({ model: 'fake-prm', task: 'token_classify' });
  });
});

describe('P(+) from the top log-probabilities', () => {
  it('normalises "+" against "-", adds up spellings, and bounds a missing answer by the least likely listed', () => {
    expect(goodProbability([{ token: '+', logprob: Math.log(0.6) }, { token: '-', logprob: Math.log(0.2) }], '+', '-')).toBeCloseTo(0.75, 12);
    expect(goodProbability([{ token: '+', logprob: Math.log(0.3) }, { token: ' +', logprob: Math.log(0.3) }, { token: '-', logprob: Math.log(0.2) }], '+', '-')).toBeCloseTo(0.75, 12);
    expect(goodProbability([{ token: '+', logprob: Math.log(0.9) }, { token: 'x', logprob: Math.log(0.01) }], '+', '-')).toBeCloseTo(0.9 / 0.91, 12);
    expect(() => goodProbability([{ token: 'Yes', logprob: -0.1 }], '+', '-')).toThrow(/neither "\+" nor "-" \(got "Yes"\): is it a generative PRM/);
  });
});
