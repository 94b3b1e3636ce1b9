import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { exportPool } from '../../src-main/core/export/export';
import { dreamprmMetaRow, dreamprmTrainRow, trlRow } from '../../src-main/core/export/formats';
import { openDb, type Db } from '../../src-main/core/store/db';
import { appendDomainWeights, createRun, finishRun, saveInstanceSnapshot, saveRunInstances } from '../../src-main/core/store/runs-store';
import type { CanonicalCotRecord } from '../../src-main/core/types';

let work: string;
let src: Db;
let runId: number;
/** cot ext id → the instance weight the run learned for it */
const learned = new Map<string, number>();

async function png(path: string, rgb: [number, number, number]): Promise<void> {
  await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path);
}

const step = (text: string, m?: number, k?: number) => ({ text, ...(m !== undefined && { m, k }) });

/** The source data: imported with the project's own importer, as a user would. */
const RECORDS: CanonicalCotRecord[] = [
  { qid: 'c1', question: 'What is the highest bar?', images: ['img/a.png'], groundTruth: '42', domain: 'chartqa', cotId: 'c1-a',
    steps: [step('Step 1: Read the bars.', 0.75, 4), step('Step 2: The tallest is 42.', 1, 4), step('Final answer: 42', 1, 4)], answer: '42' },
  { qid: 'c1', question: 'What is the highest bar?', images: ['img/a.png'], groundTruth: '42', domain: 'chartqa', cotId: 'c1-b',
    steps: [step('Step 1: Read the bars.', 0.5, 4), step('Step 2: The tallest is 40.', 0, 4), step('Final answer: 40', 0, 4)], answer: '40' },
  { qid: 'c2', question: 'Compare the two charts.\n\nWhich grew more?', images: ['img/a.png', 'img/b.png'], groundTruth: 'left', domain: 'chartqa', cotId: 'c2-a',
    steps: [step('Look at both.\nLeft rises by 5.', 0.625, 8), step('Right rises by 2.', 0.875, 8)] },
  { qid: 'g1', question: 'Find the angle x.', images: ['img/b.png'], groundTruth: '30', domain: 'geo', cotId: 'g1-a',
    steps: [step('The angles sum to 180.', 0.5, 2), step('So x = 30.', 1, 2)] },
  { qid: 'g2', question: 'Find the side.', images: ['img/b.png'], groundTruth: '5', domain: 'geo', cotId: 'g2-unlabelled',
    steps: [step('Use Pythagoras.', 0.5, 2), step('So it is 5.')] },
  { qid: 'n1', question: 'Noisy one.', images: ['img/a.png'], domain: 'noisy', cotId: 'n1-a', steps: [step('Guess.', 0.1, 2)] },
  // meta pool
  { qid: 'm1', question: 'Which organ pumps blood?\nOptions: (A) lung (B) heart', images: ['img/a.png'], groundTruth: 'B', domain: 'mmmu', pool: 'meta', cotId: 'm1-a',
    steps: [step('Step 1: The question asks about circulation.'), step('Step 2: The heart pumps blood.'), step('Final answer: B')], answer: 'B', correct: true },
  { qid: 'm1', question: 'Which organ pumps blood?\nOptions: (A) lung (B) heart', images: ['img/a.png'], groundTruth: 'B', domain: 'mmmu', pool: 'meta', cotId: 'm1-b',
    steps: [step('Step 1: Breathing moves air.'), step('Step 2: So the lung.'), step('Final answer: A')], answer: 'A', correct: false },
  { qid: 'm2', question: 'How many sides has a hexagon?', images: ['img/b.png'], groundTruth: '6', domain: 'mmmu', pool: 'meta', cotId: 'm2-a',
    steps: [step('Step 1: A hexagon is a polygon.'), step('Step 2: Hex means six.'), step('Final answer: 6')], answer: '6', correct: true },
  { qid: 'm3', question: 'Unlabelled meta.', images: ['img/b.png'], domain: 'mmmu', pool: 'meta', cotId: 'm3-a', steps: [step('Step 1: x'), step('Final answer: y')] },
];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'export-'));
  mkdirSync(join(work, 'data', 'img'), { recursive: true });
  await png(join(work, 'data', 'img', 'a.png'), [200, 30, 30]);
  await png(join(work, 'data', 'img', 'b.png'), [30, 30, 200]);
  const file = join(work, 'data', 'corpus.jsonl');
  writeFileSync(file, RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  src = openDb(join(work, 'src.db'));
  const s = await importFile(src, file, { format: 'jsonl' });
  expect(s.rejected).toBe(0);
  src.prepare(`UPDATE domains SET excluded = 1 WHERE name = 'noisy'`).run();

  // A finished instance-table run over the train CoTs, with a domain trajectory too.
  const cots = src
    .prepare(`SELECT c.id, c.ext_id AS ext, d.name AS domain FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id WHERE d.pool = 'train' ORDER BY c.id`)
    .all() as { id: number; ext: string; domain: string }[];
  const names = [...new Set(cots.map((c) => c.domain))];
  runId = createRun(src, { method: 'instance-table', config: {}, totalSteps: 10, backend: 'cpu' });
  saveRunInstances(src, runId, Int32Array.from(cots, (c) => c.id), Int32Array.from(cots, (c) => names.indexOf(c.domain)), names);
  const weights = Float32Array.from(cots, (_, i) => 0.5 + 0.25 * i);
  saveInstanceSnapshot(src, runId, 5, Float32Array.from(cots, () => 1));
  saveInstanceSnapshot(src, runId, 10, weights);
  cots.forEach((c, i) => learned.set(c.ext, Number(weights[i].toPrecision(7))));
  appendDomainWeights(src, runId, 10, { chartqa: 1.3, geo: 0.7, noisy: 1 });
  finishRun(src, runId, 'completed');
});

/** A CoT as it compares across databases: by content, not by ids. */
function snapshot(db: Db, pool: string) {
  const rows = db
    .prepare(
      `SELECT c.id, d.name AS domain, q.text AS question, q.answer AS truth, c.answer, c.correct
         FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
        WHERE d.pool = ? AND d.excluded = 0`,
    )
    .all(pool) as { id: number; domain: string; question: string; truth: string | null; answer: string | null; correct: number | null }[];
  return rows
    .map(({ id, ...r }) => ({
      ...r,
      steps: db.prepare(`SELECT text, mc, k FROM steps WHERE cot_id = ? ORDER BY idx`).all(id),
      images: db.prepare(`SELECT i.sha256 FROM question_images qi JOIN images i ON i.id = qi.image_id JOIN cots c ON c.question_id = qi.question_id WHERE c.id = ? ORDER BY qi.ord`).pluck().all(id),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as unknown[];
const readJsonl = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);

describe('export → re-import', () => {
  it('dreamprm-train: same CoTs, steps and labels; learned instance weights on every row', async () => {
    const out = join(work, 'out-train');
    const s = exportPool(src, { format: 'dreamprm-train', outDir: out, runId, images: 'copy' });
    expect(s).toMatchObject({ cots: 4, rows: 10, skipped: 1 });
    expect(s.warnings[0]).toMatch(/g2-unlabelled .* has steps without a label: left out/);
    expect(s.weights).toMatchObject({ runId, perInstance: true, step: 10, fromInstance: 4, domainWeights: { chartqa: 1.3, geo: 0.7 } });
    expect(s.images).toMatchObject({ copied: 5, missing: 0 });

    const rows = readJson(join(out, 'train.json'));
    for (const r of rows) expect(dreamprmTrainRow.safeParse(r).error).toBeUndefined();
    const index = readJsonl(join(out, 'index.jsonl')) as { cot: string }[];
    for (const r of rows as { id: number; weight: number; sid: number; add: string; image_path: unknown }[]) {
      expect(r.weight).toBe(learned.get(index[r.id].cot));
    }
    const c2 = (rows as { id: number; sid: number; add: string; image_path: unknown }[]).filter((r) => index[r.id].cot === 'c2-a');
    expect(c2.map((r) => r.add)).toEqual(['Look at both.\nLeft rises by 5.', 'Look at both.\nLeft rises by 5.\n\nRight rises by 2.']);
    expect(c2[0].image_path).toHaveLength(2);
    expect(existsSync(join(out, (c2[0].image_path as string[])[0]))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { weights: { runId: number } };
    expect(manifest.weights.runId).toBe(runId);

    const back = openDb(':memory:');
    const imported = await importFile(back, join(out, 'train.json'), { format: 'dreamprm-train' });
    expect(imported).toMatchObject({ rejected: 0, cots: 4, steps: 10, missingImages: 0 });
    const expected = snapshot(src, 'train').filter((c) => c.steps.every((st) => (st as { mc: number | null }).mc !== null));
    // the train format carries no CoT answer or correctness: compare the rest
    const strip = (x: ReturnType<typeof snapshot>) => x.map(({ answer: _a, correct: _c, ...r }) => r);
    expect(strip(snapshot(back, 'train'))).toEqual(strip(expected));
    back.close();
  });

  it('dreamprm-meta: same CoTs, steps and correctness; CoTs of one question share an id', async () => {
    const out = join(work, 'out-meta');
    const s = exportPool(src, { format: 'dreamprm-meta', outDir: out, runId: null, images: 'copy' });
    expect(s).toMatchObject({ pool: 'meta', cots: 3, skipped: 1 });
    const rows = readJson(join(out, 'meta.json')) as { id: number; input: string }[];
    for (const r of rows) expect(dreamprmMetaRow.safeParse(r).error).toBeUndefined();
    expect(rows.map((r) => r.id)).toEqual([0, 0, 1]);
    expect(rows[0].input).toMatch(/^Which organ pumps blood\?\nOptions: \(A\) lung \(B\) heart\n\nStep 1: .*\n\nStep 2: .*\n\nFinal answer: B$/);

    const back = openDb(':memory:');
    const imported = await importFile(back, join(out, 'meta.json'), { format: 'dreamprm-meta' });
    expect(imported).toMatchObject({ rejected: 0, cots: 3, questions: 2, missingImages: 0 });
    const expected = snapshot(src, 'meta').filter((c) => c.correct !== null);
    expect(snapshot(back, 'meta')).toEqual(expected);
    back.close();
  });

  it('trl: prompt, step completions, boolean labels, weights and referenced images', () => {
    const out = join(work, 'out-trl');
    const s = exportPool(src, { format: 'trl', outDir: out, runId, images: 'reference', labelThreshold: 0.6 });
    expect(s.images).toMatchObject({ referenced: 5, copied: 0, copiedFallback: 0 });
    const rows = readJsonl(join(out, 'train.jsonl')) as { prompt: string; completions: string[]; labels: boolean[]; weight: number; images: string[] }[];
    for (const r of rows) expect(trlRow.safeParse(r).error).toBeUndefined();
    const c1a = rows.find((r) => r.completions[1] === 'Step 2: The tallest is 42.')!;
    expect(c1a).toMatchObject({ prompt: 'What is the highest bar?', labels: [true, true, true], weight: learned.get('c1-a') });
    expect(rows.find((r) => r.completions[1] === 'Step 2: The tallest is 40.')!.labels).toEqual([false, false, false]);
    expect(c1a.images.every((p) => isAbsolute(p) && existsSync(p) && p.endsWith('img/a.png'))).toBe(true);
  });

  it('uses domain weights for a domain-table run and 1 without a run', () => {
    const dom = createRun(src, { method: 'domain-table', config: {}, totalSteps: 4, backend: 'cpu' });
    appendDomainWeights(src, dom, 2, { chartqa: 1, geo: 1 });
    appendDomainWeights(src, dom, 4, { chartqa: 1.25, geo: 0.75 });
    finishRun(src, dom, 'completed');
    const s = exportPool(src, { format: 'trl', outDir: join(work, 'out-dom'), runId: dom, images: 'copy' });
    expect(s.weights).toMatchObject({ perInstance: false, fromDomain: 4, fromInstance: 0 });
    const rows = readJsonl(join(work, 'out-dom', 'train.jsonl')) as { weight: number; prompt: string }[];
    expect(rows.map((r) => r.weight).sort()).toEqual([0.75, 1.25, 1.25, 1.25]);
    const plain = exportPool(src, { format: 'trl', outDir: join(work, 'out-plain'), runId: null, images: 'copy' });
    expect(plain.weights).toBeNull();
    expect((readJsonl(join(work, 'out-plain', 'train.jsonl')) as { weight: number }[]).every((r) => r.weight === 1)).toBe(true);
  });

  it('refuses what it cannot do, saying what to do instead', () => {
    const out = join(work, 'out-train');
    expect(() => exportPool(src, { format: 'dreamprm-train', outDir: out, runId, images: 'copy' })).toThrow(/train\.json exists: .*--force/);
    expect(() => exportPool(src, { format: 'dreamprm-train', outDir: join(work, 'x'), runId: 999, images: 'copy' })).toThrow(/run 999 does not exist/);
    expect(() => exportPool(src, { format: 'dreamprm-train', outDir: join(work, 'y'), runId: null, images: 'copy', pool: 'test' })).toThrow(
      /nothing to export: the test pool has no fully labelled CoTs/,
    );
    expect(existsSync(join(work, 'y', 'train.json.partial'))).toBe(false);
    expect(() => exportPool(src, { format: 'csv' as never, outDir: join(work, 'z'), runId: null, images: 'copy' })).toThrow(/unknown export format "csv"/);
  });
});
