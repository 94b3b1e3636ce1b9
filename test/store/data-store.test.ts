import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import {
  getDomain,
  listDomains,
  listSources,
  mergeDomains,
  moveDomainToPool,
  renameDomain,
  setDomainExcluded,
} from '../../src-main/core/store/data-store';
import { getCot, getQuestion, getThumbnail, pageCots } from '../../src-main/core/store/questions-store';
import type { Db } from '../../src-main/core/store/db';
import { UserError } from '../../src-main/core/errors';
import { canonical, count, jsonl, memoryDb, scratchDir } from '../data/helpers';

let db: Db;
let tmp: ReturnType<typeof scratchDir>;

/** Domains: charts (2 questions, 3 CoTs), charts2 (shares question c1 with charts), geo in meta. */
beforeEach(async () => {
  db = memoryDb();
  tmp = scratchDir();
  const path = tmp.file(
    'data.jsonl',
    jsonl([
      canonical({ qid: 'c1', domain: 'charts', cotId: 'x', steps: [{ text: 'a', m: 0.5, k: 4 }, { text: 'b', m: 1, k: 4, label: 1 }] }),
      canonical({ qid: 'c1', domain: 'charts', cotId: 'y', correct: false, steps: [{ text: 'c', m: 0, k: 4 }] }),
      canonical({ qid: 'c2', domain: 'charts', images: ['missing.png'], steps: [{ text: 'd' }] }),
      canonical({ qid: 'c1', domain: 'charts2', cotId: 'x', steps: [{ text: 'other a', m: 0.25, k: 4 }] }),
      canonical({ qid: 'c3', domain: 'charts2', steps: [{ text: 'e', m: 0.75, k: 4 }] }),
      canonical({ qid: 'g1', domain: 'geo', pool: 'meta', steps: [{ text: 'f' }] }),
    ]),
  );
  await importFile(db, path);
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

const byName = (name: string, pool = 'train') => listDomains(db).find((d) => d.name === name && d.pool === pool)!;

describe('data-store', () => {
  it('listSources: one row per imported file with its counts and summary', () => {
    const [s] = listSources(db);
    expect(s).toMatchObject({ format: 'jsonl', pool: 'train', questions: 5, cots: 6, missingImages: 1 });
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.summary).toMatchObject({ format: 'jsonl', records: 6, imported: 6, cots: 6 });
  });

  it('listDomains: counts and label statistics per domain, optionally for one pool', () => {
    expect(byName('charts')).toMatchObject({
      pool: 'train',
      excluded: false,
      questions: 2,
      cots: 3,
      steps: 4,
      labelledSteps: 3,
      meanLabel: 0.5,
      humanLabels: 1,
      humanFraction: 0.25,
      judgedCots: 3,
      correctCots: 2,
      images: 0,
      missingImages: 1,
    });
    expect(byName('geo', 'meta')).toMatchObject({ labelledSteps: 0, meanLabel: null, humanFraction: 0 });
    expect(listDomains(db, { pool: 'meta' }).map((d) => d.name)).toEqual(['geo']);
  });

  it('renameDomain: renames, and refuses a name the pool already has', () => {
    const charts = byName('charts');
    expect(renameDomain(db, charts.id, '  ChartQA ')).toMatchObject({ id: charts.id, name: 'ChartQA', cots: 3 });
    const err = (() => {
      try {
        renameDomain(db, charts.id, 'charts2');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `a domain named "charts2" already exists in the train pool (id ${byName('charts2').id}); merge the two domains instead of renaming`,
    );
    expect(() => renameDomain(db, charts.id, ' ')).toThrow('a domain name cannot be empty');
    expect(() => renameDomain(db, 999, 'x')).toThrow('no domain with id 999');
    // a name used in another pool is fine
    expect(renameDomain(db, charts.id, 'geo').name).toBe('geo');
  });

  it('mergeDomains: moves every CoT, merges shared questions, keeps counts, deletes the emptied domain', () => {
    const charts = byName('charts');
    const charts2 = byName('charts2');
    const merged = mergeDomains(db, charts.id, [charts2.id]);
    expect(merged).toMatchObject({ questions: 3, cots: charts.cots + charts2.cots, steps: charts.steps + charts2.steps });
    expect(listDomains(db).map((d) => d.name)).toEqual(['geo', 'charts']);
    // c1 existed in both: one question now, with both CoTs "x" (the moved one renamed)
    const c1 = getQuestion(db, db.prepare("SELECT id FROM questions WHERE ext_id = 'c1'").pluck().get() as number)!;
    expect(c1.cotIds).toHaveLength(3);
    const ext = c1.cotIds.map((id) => getCot(db, id)!.extId).sort();
    expect(ext[0]).toBe('x');
    expect(ext[1]).toMatch(/^x~\d+$/);
    expect(ext[2]).toBe('y');
    expect(count(db, 'questions')).toBe(4);
  });

  it('mergeDomains: refuses merging across pools, into itself, or nothing', () => {
    const charts = byName('charts');
    const geo = byName('geo', 'meta');
    expect(() => mergeDomains(db, charts.id, [geo.id])).toThrow(
      'cannot merge "geo" (meta pool) into "charts" (train pool): move it to the train pool first',
    );
    expect(() => mergeDomains(db, charts.id, [charts.id])).toThrow('cannot merge domain "charts" into itself');
    expect(() => mergeDomains(db, charts.id, [])).toThrow('choose at least one domain to merge into the target');
    expect(count(db, 'domains')).toBe(3);
  });

  it('setDomainExcluded and moveDomainToPool', () => {
    const charts = byName('charts');
    expect(setDomainExcluded(db, charts.id, true).excluded).toBe(true);
    expect(pageCots(db, { pool: 'train' }).map((c) => c.steps[0].text)).toEqual(['other a', 'e']);
    expect(pageCots(db, { pool: 'train', includeExcluded: true })).toHaveLength(5);
    expect(setDomainExcluded(db, charts.id, false).excluded).toBe(false);

    expect(moveDomainToPool(db, charts.id, 'test')).toMatchObject({ pool: 'test', cots: 3 });
    expect(pageCots(db, { pool: 'test' })).toHaveLength(3);
    renameDomain(db, byName('geo', 'meta').id, 'charts2');
    expect(() => moveDomainToPool(db, byName('charts2').id, 'meta')).toThrow(
      /^the meta pool already has a domain named "charts2" \(id \d+\); rename one of them first/,
    );
    expect(() => moveDomainToPool(db, charts.id, 'dev' as never)).toThrow('unknown pool "dev": use train, meta or test');
  });

  it('getCot, getQuestion, pageCots and getDomain read what was imported', () => {
    const page1 = pageCots(db, { limit: 2 });
    const page2 = pageCots(db, { limit: 2, afterId: page1[1].id });
    expect(page1.map((c) => c.id)).toEqual([1, 2]);
    expect(page2.map((c) => c.id)).toEqual([3, 4]);
    expect(getCot(db, 1)).toMatchObject({
      extId: 'x',
      correct: true,
      answer: '5',
      steps: [
        { idx: 0, text: 'a', mc: 0.5, k: 4, human: null },
        { idx: 1, text: 'b', mc: 1, k: 4, human: 1 },
      ],
    });
    expect(getCot(db, 999)).toBeUndefined();
    expect(getQuestion(db, 999)).toBeUndefined();
    expect(getThumbnail(db, 1)).toBeUndefined();
    expect(getDomain(db, byName('charts').id).cots).toBe(3);
    expect(() => getDomain(db, 999)).toThrow('no domain with id 999');
  });

  it('domain statistics use the indexes, not a scan of questions', () => {
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM questions q WHERE q.domain_id = 1")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX/);
    const bySource = db.prepare('EXPLAIN QUERY PLAN SELECT count(*) FROM questions WHERE source_id = 1').all() as { detail: string }[];
    expect(bySource.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX questions_source/);
  });
});
