import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { listDomains } from '../../src-main/core/store/data-store';
import { getCot, getQuestion, pageCots } from '../../src-main/core/store/questions-store';
import type { Db } from '../../src-main/core/store/db';
import { count, fixturesDir, memoryDb, sharedFixtures } from './helpers';

let db: Db;
afterEach(() => db?.close());

function cotsByDomain(db: Db): Record<string, { ext: string; correct: number | null; steps: string[]; mc: (number | null)[]; k: (number | null)[] }[]> {
  const out: ReturnType<typeof cotsByDomain> = {};
  for (const c of pageCots(db, { limit: 1000, includeExcluded: true })) {
    const q = getQuestion(db, c.questionId)!;
    (out[q.domain] ??= []).push({
      ext: q.extId,
      correct: c.correct === null ? null : Number(c.correct),
      steps: c.steps.map((s) => s.text),
      mc: c.steps.map((s) => s.mc),
      k: c.steps.map((s) => s.k),
    });
  }
  return out;
}

describe('import formats', () => {
  it('canonical JSONL: steps with m/k/label, pools per record, explicit CoT ids', async () => {
    db = memoryDb();
    const s = await importFile(db, join(fixturesDir, 'canonical.jsonl'));
    expect(s).toMatchObject({ format: 'jsonl', records: 3, imported: 3, rejected: 0, questions: 2, cots: 3, steps: 6 });
    expect(s.domains).toEqual({ charts: 2, geometry: 1 });
    expect(s.missingImages).toBe(2); // chart-001.png, referenced by two CoTs, is not there
    const domains = listDomains(db);
    expect(domains.map((d) => [d.name, d.pool])).toEqual([
      ['geometry', 'meta'],
      ['charts', 'train'],
    ]);
    const wrong = db.prepare("SELECT id FROM cots WHERE ext_id = 'b'").pluck().get() as number;
    const cot = getCot(db, wrong)!;
    expect(cot.correct).toBe(false);
    expect(cot.answer).toBe('June');
    expect(cot.steps[0]).toEqual({ idx: 0, text: 'The tallest bar is June.', mc: 0.125, k: 8, human: 0 });
    const q = getQuestion(db, cot.questionId)!;
    expect(q).toMatchObject({ extId: 'chart-001', answer: 'May', domain: 'charts', pool: 'train' });
    expect(q.images).toEqual([{ ord: 0, imageId: null, path: 'images/chart-001.png' }]);
    expect(q.cotIds).toHaveLength(2);
  });

  it('canonical: --pool is the default pool, a record naming its pool keeps it; --domain overrides', async () => {
    db = memoryDb();
    const s = await importFile(db, join(fixturesDir, 'canonical.jsonl'), { pool: 'test', domain: 'mixed' });
    expect(s.domains).toEqual({ mixed: 3 });
    expect(listDomains(db).map((d) => [d.name, d.pool, d.cots])).toEqual([
      ['mixed', 'meta', 1],
      ['mixed', 'test', 2],
    ]);
  });

  it('dreamprm-train: rows sharing an id become one CoT ordered by sid, with m = accuracy and K = times', async () => {
    db = memoryDb();
    const s = await importFile(db, join(fixturesDir, 'dreamprm-train.json'));
    expect(s).toMatchObject({ format: 'dreamprm-train', records: 8, imported: 8, rejected: 0, questions: 2, cots: 2 });
    // 4 steps for id 17; 3 for id 42 (its sid-4 row has an empty add, as the reference writes)
    expect(s.steps).toBe(7);
    expect(s.domains).toEqual({ ai2d: 1, chartqa: 1 });
    const cots = cotsByDomain(db);
    expect(cots.chartqa[0].steps).toEqual([
      'Step 1: Restate the question.\n   - We need the gap between the tallest and the shortest blue bar.',
      'Step 2: Gather evidence from the image.\n   - The blue bars read 42, 35, 18 and 15 from left to right.',
      'Step 3: Identify any background knowledge needed.\n   - The difference is the maximum minus the minimum.',
      'Step 4: Reason with the current evidence.\n   - 42 - 15 = 27.',
    ]);
    expect(cots.chartqa[0].mc).toEqual([0.75, 0.75, 0.5, 1]);
    expect(cots.ai2d[0].k).toEqual([4, 2, 4]);
    const q = getQuestion(db, pageCots(db, { limit: 1 })[0].questionId)!;
    expect(q.text).toMatch(/^Question: .*\nOptions: \(A\)/);
    expect(['B', 'C']).toContain(q.answer);
    expect(listDomains(db).every((d) => d.pool === 'train')).toBe(true);
  });

  it('dreamprm-meta: splits the response out of input; true_false is the label; question-only rows are rejected', async () => {
    db = memoryDb();
    const s = await importFile(db, join(fixturesDir, 'dreamprm-meta.json'));
    expect(s).toMatchObject({ format: 'dreamprm-meta', records: 4, imported: 3, rejected: 1, questions: 2, cots: 3 });
    expect(s.domains).toEqual({ 'dreamprm-meta': 3 }); // no domain in the format: the file's name
    expect(s.errors).toEqual([
      { record: 4, field: 'input', message: 'holds only the question: no response after it to split into steps' },
    ]);
    const cots = cotsByDomain(db)['dreamprm-meta'];
    expect(cots.map((c) => [c.ext, c.correct, c.steps.length])).toEqual([
      ['2', 1, 4],
      ['2', 0, 3],
      ['5', 1, 3],
    ]);
    expect(cots[0].steps[3]).toBe('Final answer: B');
    expect(cots[1].steps[0]).toBe("Let's analyze the question step by step:\n### Step 1: Restate the question\nWe must say whether the protein has quaternary structure.");
    const q = getQuestion(db, pageCots(db, { limit: 1 })[0].questionId)!;
    expect(q.text).toBe(
      'Question: The following diagram shows the bacteriorhodopsin protein. This protein has quaternary structure.\nOptions: (A) True (B) False',
    );
    expect(listDomains(db)[0].pool).toBe('meta');
  });

  it('visualprm JSONL: both conversation layouts; +/- become mc 1/0 with k null; subject from the id', async () => {
    db = memoryDb();
    const s = await importFile(db, join(fixturesDir, 'visualprm.jsonl'), { pool: 'meta' });
    expect(s).toMatchObject({ format: 'visualprm', records: 2, imported: 2, cots: 2, steps: 5, missingImages: 2 });
    expect(s.domains).toEqual({ Art: 1, Computer_Science: 1 });
    const cots = cotsByDomain(db);
    expect(cots.Computer_Science[0]).toMatchObject({
      correct: 1,
      steps: ['The loop runs n times.', 'Each pass does constant work.', 'Answer: B'],
      mc: [1, 1, 1],
      k: [null, null, null],
    });
    expect(cots.Art[0]).toMatchObject({ correct: 0, mc: [0, 0] });
    const art = getQuestion(db, db.prepare("SELECT id FROM questions WHERE ext_id = 'test_Art_113'").pluck().get() as number)!;
    expect(art.text).toBe('Question: <image 1> of Louis Black was painted by which artist?\n\nOptions: (A) Mary Cameron (B) Gavin Hamilton');
    const cs = getCot(db, db.prepare("SELECT c.id FROM cots c JOIN questions q ON q.id = c.question_id WHERE q.ext_id LIKE 'validation_%'").pluck().get() as number)!;
    expect(cs.answer).toBe('B');
  });

  const real = join(sharedFixtures, 'visualprm-conversations.meta_MMMU_Pro.json');
  const absent = existsSync(real) ? '' : ` (skipped: ${real} is absent)`;
  it.skipIf(!!absent)(
    `real MMMU-Pro meta set: 1,656 CoTs, 1,656 missing images, the MMMU subjects as domains${absent}`,
    async () => {
      db = memoryDb();
      const progress: number[] = [];
      const s = await importFile(db, real, { pool: 'meta' }, (p) => progress.push(p.bytesRead));
      expect(s).toMatchObject({ format: 'visualprm', records: 1656, imported: 1656, rejected: 0, cots: 1656, missingImages: 1656, questions: 414 });
      expect(s.errors).toEqual([]);
      expect(Object.keys(s.domains)).toHaveLength(30);
      expect(s.domains).toMatchObject({ Art: 52, Music: 104, Computer_Science: 64, Diagnostics_and_Laboratory_Medicine: 84 });
      expect(Object.values(s.domains).reduce((a, b) => a + b, 0)).toBe(1656);
      expect(s.steps).toBe(3296);
      expect(count(db, 'steps')).toBe(3296);
      expect(db.prepare('SELECT count(*) FROM steps WHERE mc IS NULL OR k IS NOT NULL').pluck().get()).toBe(0);
      expect(db.prepare('SELECT sum(correct) FROM cots').pluck().get()).toBe(834);
      expect(listDomains(db).every((d) => d.pool === 'meta')).toBe(true);
      expect(progress[progress.length - 1]).toBeGreaterThan(3_000_000);
    },
  );
});
