import { beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { reasonOf, RecordTally } from '../../src-main/core/data/record-groups';
import type { ImportOptions } from '../../src-main/core/types';
import { canonical, count, jsonl, storeEachTest } from './helpers';

const ctx = storeEachTest();

let files = 0;
const load = (records: unknown[], options: ImportOptions = {}) => importFile(ctx.db, ctx.tmp.file(`f${++files}.jsonl`, jsonl(records)), options);
const stepsOf = (qid: string, cotId: string) =>
  ctx.db
    .prepare(`SELECT s.text, s.mc FROM steps s JOIN cots c ON c.id = s.cot_id JOIN questions q ON q.id = c.question_id WHERE q.ext_id = ? AND c.ext_id = ? ORDER BY s.idx`)
    .all(qid, cotId);

describe('records grouped by reason', () => {
  it('strips the values that differ from record to record, so one fault is one group', () => {
    expect(reasonOf('steps[2].m', 'm must be in [0, 1], got 1.5')).toBe('steps[].m: m must be in [0, 1]');
    expect(reasonOf('pool', 'unknown pool "dev": use train, meta or test')).toBe('pool: unknown pool "…": use train, meta or test');
    expect(reasonOf('sid', 'sid 3 appears twice for id "x" (records 3 and 4)')).toBe('sid: sid … appears twice for id "…" (record …)');
  });

  it('counts every record and keeps the first five numbers, biggest group first', () => {
    const t = new RecordTally();
    for (let r = 1; r <= 9; r++) t.add('a', r);
    t.add('b', 20);
    expect(t.list()).toEqual([
      { reason: 'a', count: 9, first: [1, 2, 3, 4, 5] },
      { reason: 'b', count: 1, first: [20] },
    ]);
    expect(t.total).toBe(10);
  });

  it('a summary lists 1,000 bad records of one kind as one reason with its first five records', async () => {
    const bad = Array.from({ length: 1000 }, (_, i) => canonical({ qid: `q${i}`, steps: [{ text: 's', m: 2 }] }));
    const s = await load([canonical({ qid: 'ok' }), ...bad]);
    expect(s.status).toBe('partial');
    expect(s.skipped).toEqual([{ reason: 'steps[].m: m must be in [0, 1]', count: 1000, first: [2, 3, 4, 5, 6] }]);
  });
});

describe('conflicts with stored data', () => {
  beforeEach(async () => {
    expect((await load([canonical({ qid: 'q1', cotId: 'a' })])).status).toBe('complete');
  });

  it('keep (default): the stored question and CoT stay, the records are skipped and reported', async () => {
    const s = await load([
      canonical({ qid: 'q1', cotId: 'b', question: 'What is 2 + 4?' }),
      canonical({ qid: 'q2', cotId: 'a' }),
    ]);
    expect(s).toMatchObject({ status: 'partial', imported: 1, cots: 1, onConflict: 'keep' });
    expect(s.conflicts).toEqual([
      {
        kind: 'question',
        reason: 'question text differs from the stored question with the same qid',
        action: 'kept',
        count: 1,
        first: [1],
        example: { qid: 'q1', cotId: null, stored: 'What is 2 + 3?', file: 'What is 2 + 4?' },
      },
    ]);
    expect(s.skipped).toEqual([{ reason: 'conflict (stored version kept): question text differs from the stored question with the same qid', count: 1, first: [1] }]);
    expect(ctx.db.prepare('SELECT text FROM questions WHERE ext_id = ?').pluck().get('q1')).toBe('What is 2 + 3?');
  });

  it('replace: the question text and the CoT take the file\'s version; the CoT keeps its id', async () => {
    const before = ctx.db.prepare(`SELECT id FROM cots WHERE ext_id = 'a'`).pluck().get();
    const s = await load([canonical({ qid: 'q1', cotId: 'a', question: 'What is 2 + 4?', steps: [{ text: '2 + 4 = 6', m: 1, k: 4 }], answer: '6' })], {
      onConflict: 'replace',
    });
    expect(s).toMatchObject({ status: 'complete', imported: 1, cots: 0 });
    expect(s.conflicts.map((c) => [c.kind, c.action, c.example.stored, c.example.file])).toEqual([
      ['question', 'replaced', 'What is 2 + 3?', 'What is 2 + 4?'],
      ['cot', 'replaced', 'step 1: 2 + 3 = 5', 'step 1: 2 + 4 = 6'],
    ]);
    expect(ctx.db.prepare('SELECT text FROM questions').pluck().all()).toEqual(['What is 2 + 4?']);
    expect(stepsOf('q1', 'a')).toEqual([{ text: '2 + 4 = 6', mc: 1 }]);
    expect(ctx.db.prepare(`SELECT id, answer FROM cots WHERE ext_id = 'a'`).get()).toEqual({ id: before, answer: '6' });
  });

  it('fail: nothing is written, not even a source, and the refusal carries the report', async () => {
    const changed = canonical({ qid: 'q1', cotId: 'a', steps: [{ text: '2 + 3 = 5', m: 0.5, k: 4 }, { text: 'Answer: 5', m: 1, k: 4 }] });
    const err = (await load([canonical({ qid: 'q9' }), changed], { onConflict: 'fail' }).catch((e: unknown) => e)) as { summary: { status: string; conflicts: unknown[] } };
    expect(err.summary.status).toBe('failed');
    expect(err.summary.conflicts).toEqual([
      expect.objectContaining({ kind: 'cot', reason: "step labels or correctness differ from the stored CoT's", action: 'refused', first: [2] }),
    ]);
    expect([count(ctx.db, 'sources'), count(ctx.db, 'questions'), count(ctx.db, 'cots')]).toEqual([1, 1, 1]);
  });

  it('labels people gave in the app are not conflicts; a label the file does not give is none either', async () => {
    const cot = ctx.db.prepare(`SELECT id FROM cots WHERE ext_id = 'a'`).pluck().get() as number;
    ctx.db.prepare('UPDATE steps SET human = 0 WHERE cot_id = ? AND idx = 0').run(cot);
    ctx.db.prepare(`INSERT INTO annotations (cot_id, step_idx, value, previous, annotator, created_at) VALUES (?, 0, 0, NULL, 'ann', 'now')`).run(cot);
    const withLabel = canonical({ qid: 'q1', cotId: 'a', steps: [{ text: '2 + 3 = 5', m: 0.75, k: 4, label: 1 }, { text: 'Answer: 5', m: 1, k: 4 }] });
    expect((await load([withLabel])).conflicts).toEqual([]);
    const unlabelled = canonical({ qid: 'q1', cotId: 'a', steps: [{ text: '2 + 3 = 5' }, { text: 'Answer: 5' }] });
    expect(await load([unlabelled])).toMatchObject({ status: 'complete', conflicts: [] });
  });

  it('a file whose every record is invalid leaves no source row behind', async () => {
    const s = await load([canonical({ qid: 'x', steps: [] })]);
    expect(s).toMatchObject({ status: 'failed', imported: 0, rejected: 1 });
    expect(count(ctx.db, 'sources')).toBe(1);
  });

  it('a different file with nothing new adds no source row; a file that adds something does', async () => {
    // Same record, other bytes (a blank line): another file, nothing new in it.
    const same = ctx.tmp.file('same.jsonl', `\n${jsonl([canonical({ qid: 'q1', cotId: 'a' })])}`);
    expect(await importFile(ctx.db, same)).toMatchObject({ status: 'complete', imported: 0 });
    expect(count(ctx.db, 'sources')).toBe(1);
    await load([canonical({ qid: 'q3' })]);
    expect(count(ctx.db, 'sources')).toBe(2);
  });
});
