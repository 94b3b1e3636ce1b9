import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/core/data/import';
import { defaultSampleConfig, renderContactSheet, type SampleSummary } from '../../src-main/core/sample';
import { buildSample, type SampleCot, type SampleData } from '../../src-main/core/sample/build';
import { writeSample } from '../../src-main/core/sample/generate';
import { TASK_NAMES } from '../../src-main/core/sample/tasks';
import { openDb } from '../../src-main/core/store/db';
import type { CanonicalCotRecord } from '../../src-main/core/types';
import { readCorpus, tempDir } from './helpers';

// One run of the default configuration, shared by every statistic below.
let dir: string;
let data: SampleData;
let summary: SampleSummary;
let corpus: CanonicalCotRecord[];
let truth: {
  quality: Record<string, number>;
  domains: Record<string, Record<string, number | string | string[]>>;
};
let seconds: number;

beforeAll(async () => {
  dir = tempDir('default-sample');
  const started = performance.now();
  data = buildSample(defaultSampleConfig(), 1);
  summary = await writeSample(dir, data);
  seconds = (performance.now() - started) / 1000;
  corpus = readCorpus(dir);
  truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = defaultSampleConfig();
const cotsOf = (domain: string): SampleCot[] => data.domains.find((d) => d.name === domain)!.cots;
const isClean = (d: (typeof config.train)[number]) => d.k >= 16 && d.corruptionRate === 0;
const isCorrupted = (d: (typeof config.train)[number]) => d.corruption === 'invert' && d.corruptionRate >= 0.3;

describe('the default sample: shape', () => {
  it('is generated well within the time budget', () => {
    expect(seconds).toBeLessThan(20);
  });

  it('has the promised domains: ≥ 6 task types, ≥ 8 train domains of ≥ 400 CoTs, clean, noisy and corrupted ones', () => {
    expect(new Set(config.train.flatMap((d) => d.tasks)).size).toBeGreaterThanOrEqual(6);
    expect(config.train.length).toBeGreaterThanOrEqual(8);
    for (const d of config.train) expect(summary.domains[d.name].cots).toBeGreaterThanOrEqual(400);
    expect(config.train.filter(isClean).length).toBeGreaterThanOrEqual(2);
    expect(config.train.filter((d) => d.k <= 2).length).toBeGreaterThanOrEqual(2);
    expect(config.train.filter(isCorrupted).length).toBeGreaterThanOrEqual(2);
    expect(summary.records).toBe(corpus.length);
  });

  it('puts clean and corrupted labels on every task, so label quality does not stand in for how learnable a task is', () => {
    for (const task of TASK_NAMES) {
      expect(config.train.filter((d) => isClean(d) && d.tasks.includes(task)).length, task).toBeGreaterThanOrEqual(1);
      expect(config.train.filter((d) => isCorrupted(d) && d.tasks.includes(task)).length, task).toBeGreaterThanOrEqual(1);
    }
  });

  it('words one step in several ways: candidates reaching one answer are not copies of each other', () => {
    const byQuestion = new Map<string, CanonicalCotRecord[]>();
    for (const r of corpus.filter((r) => r.pool === 'test' && r.correct)) byQuestion.set(`${r.domain}/${r.qid}`, [...(byQuestion.get(`${r.domain}/${r.qid}`) ?? []), r]);
    const several = [...byQuestion.values()].filter((c) => c.length >= 3);
    const varied = several.filter((c) => new Set(c.map((r) => r.steps.map((s) => s.text).join('|'))).size > 1);
    expect(several.length).toBeGreaterThan(100);
    expect(varied.length / several.length).toBeGreaterThan(0.9);
  });

  it('writes train records with m and k on every step, 4 to 6 steps', () => {
    const train = corpus.filter((r) => r.pool === 'train');
    expect(train.length).toBe(config.train.reduce((n, d) => n + d.size, 0));
    for (const r of train) {
      expect(r.steps.length).toBeGreaterThanOrEqual(4);
      expect(r.steps.length).toBeLessThanOrEqual(6);
      for (const s of r.steps) {
        expect(s.k).toBe(config.train.find((d) => d.name === r.domain)!.k);
        expect(Number.isInteger(s.m! * s.k!)).toBe(true); // a share of k rollouts
        expect(s.label).toBeUndefined();
      }
      expect(r.correct).toBeUndefined();
    }
  });

  it('writes a meta pool of ≥ 300 CoTs with only a correct/incorrect label, from a mixture of tasks', () => {
    const meta = corpus.filter((r) => r.pool === 'meta');
    expect(meta.length).toBeGreaterThanOrEqual(300);
    for (const r of meta) {
      expect(typeof r.correct).toBe('boolean');
      for (const s of r.steps) expect([s.m, s.k, s.label]).toEqual([undefined, undefined, undefined]);
    }
    expect(new Set(meta.map((r) => r.qid.split('-')[0])).size).toBe(TASK_NAMES.length);
    const accuracy = meta.filter((r) => r.correct).length / meta.length;
    expect(accuracy).toBeGreaterThan(0.35);
    expect(accuracy).toBeLessThan(0.65);
  });

  it('images are relative paths to PNGs that decode at 48×48', async () => {
    const paths = new Set(corpus.flatMap((r) => r.images ?? []));
    expect(paths.size).toBe(summary.images);
    for (const p of paths) {
      expect(p).toMatch(/^images\/[\w.-]+\.png$/);
      const meta = await sharp(join(dir, p)).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 48, 48, 3]);
    }
  });
});

describe('the default sample: statistics', () => {
  it('clean domains have label agreement ≥ 0.9, corrupted ones ≤ 0.7, and the quality levels are distinct', () => {
    for (const d of config.train) {
      if (isClean(d)) expect(truth.quality[d.name], d.name).toBeGreaterThanOrEqual(0.9);
      if (isCorrupted(d)) expect(truth.quality[d.name], d.name).toBeLessThanOrEqual(0.7);
    }
    const sorted = Object.values(truth.quality).sort();
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]).toBeGreaterThan(sorted[i - 1]);
  });

  it('quality in truth.json is the agreement of the written labels with the true step correctness', () => {
    for (const d of config.train) {
      const records = corpus.filter((r) => r.domain === d.name);
      const cots = cotsOf(d.name);
      let agree = 0;
      let steps = 0;
      records.forEach((r, i) =>
        r.steps.forEach((s, t) => {
          steps++;
          if (s.m! >= 0.5 === cots[i].stepCorrect[t]) agree++;
        }),
      );
      expect(truth.quality[d.name]).toBeCloseTo(agree / steps, 4);
    }
  });

  it('Monte Carlo labels of clean domains separate right from wrong steps', () => {
    for (const d of config.train.filter(isClean)) {
      const right: number[] = [];
      const wrong: number[] = [];
      for (const c of cotsOf(d.name)) c.record.steps.forEach((s, t) => (c.stepCorrect[t] ? right : wrong).push(s.m!));
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(wrong.length).toBeGreaterThan(200);
      // two slips can cancel, and a misread compare can still pick the right shape: m > 0 on a
      // wrong prefix (measured 0.151 at the default policy error 0.28)
      expect(mean(wrong)).toBeLessThan(0.2);
      expect(mean(right)).toBeGreaterThan(0.75);
    }
  });

  it('test benchmarks are as hard as real ones: pass@1 40–65 %, oracle − pass@1 12–35 points, majority vote closes 10–30 % of that gap', () => {
    expect(config.test.length).toBeGreaterThanOrEqual(2);
    expect(new Set(config.test.map((b) => b.tasks.join())).size).toBe(config.test.length);
    for (const b of config.test) {
      const byQuestion = new Map<string, CanonicalCotRecord[]>();
      for (const r of corpus.filter((r) => r.domain === b.name)) {
        expect(r.pool).toBe('test');
        expect(typeof r.correct).toBe('boolean');
        expect(r.correct).toBe(r.answer === r.groundTruth);
        byQuestion.set(r.qid, [...(byQuestion.get(r.qid) ?? []), r]);
      }
      expect(byQuestion.size).toBeGreaterThanOrEqual(150);
      const cands = [...byQuestion.values()];
      for (const c of cands) expect(c.length).toBe(8);
      const pass1 = cands.reduce((a, c) => a + c.filter((r) => r.correct).length / c.length, 0) / cands.length;
      const oracle = cands.filter((c) => c.some((r) => r.correct)).length / cands.length;
      expect(pass1, b.name).toBeGreaterThanOrEqual(0.4);
      expect(pass1, b.name).toBeLessThanOrEqual(0.65);
      expect(oracle - pass1, b.name).toBeGreaterThanOrEqual(0.12);
      expect(oracle - pass1, b.name).toBeLessThanOrEqual(0.35);
      const vote = truth.domains[b.name].selfConsistency as number;
      const closes = (vote - pass1) / (oracle - pass1);
      expect(closes, b.name).toBeGreaterThanOrEqual(0.1);
      expect(closes, b.name).toBeLessThanOrEqual(0.3);
      expect(truth.domains[b.name]['pass@1']).toBeCloseTo(pass1, 4);
      expect(truth.domains[b.name].oracle).toBeCloseTo(oracle, 4);
    }
  });
});

/** AUROC of scores for telling positives (1) from negatives (0); ties count half. */
function auroc(scores: number[], labels: number[]): number {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

/**
 * The best a text-only reader can do on steps where a mistake could first appear: learn, from
 * half the questions, how often each exact text (with its question, or alone) was a mistake,
 * and score the other half with it.
 */
function textOnlyAuroc(kind: 'read' | 'calc', withQuestion: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const task of TASK_NAMES) {
    const rows: { key: string; wrong: number; fold: number }[] = [];
    for (const d of data.domains) {
      for (const c of d.cots) {
        if (c.task !== task) continue;
        const fold = Number(c.record.qid.slice(-1)) % 2;
        c.record.steps.forEach((s, t) => {
          const cleanBefore = t === 0 || c.stepCorrect[t - 1];
          if (c.kinds[t] !== kind || !cleanBefore) return;
          const key = withQuestion ? `${c.record.question} | ${s.text}` : s.text;
          rows.push({ key, wrong: c.stepCorrect[t] ? 0 : 1, fold });
        });
      }
    }
    if (!rows.some((r) => r.wrong)) continue;
    const fit = new Map<string, [number, number]>();
    for (const r of rows.filter((r) => r.fold === 0)) {
      const [w, n] = fit.get(r.key) ?? [0, 0];
      fit.set(r.key, [w + r.wrong, n + 1]);
    }
    const base = rows.filter((r) => r.fold === 0 && r.wrong).length / rows.filter((r) => r.fold === 0).length;
    const held = rows.filter((r) => r.fold === 1);
    const score = held.map((r) => {
      const [w, n] = fit.get(r.key) ?? [0, 0];
      return (w + 2 * base) / (n + 2); // shrunk toward the base rate when a text was rare
    });
    out[task] = auroc(score, held.map((r) => r.wrong));
  }
  return out;
}

describe('the default sample: only the image tells a right reading from a wrong one', () => {
  it('a text-only reader is at chance on reading steps', () => {
    for (const withQuestion of [false, true]) {
      const scores = textOnlyAuroc('read', withQuestion);
      expect(Object.keys(scores).length).toBe(TASK_NAMES.length);
      for (const [task, a] of Object.entries(scores)) expect(a, `${task} (question: ${withQuestion})`).toBeLessThan(0.6);
    }
  });

  it('the same reader does spot arithmetic slips, which the text shows (the check has teeth)', () => {
    const scores = textOnlyAuroc('calc', false);
    for (const [task, a] of Object.entries(scores)) expect(a, task).toBeGreaterThan(0.75);
  });

  it('the texts of wrong readings also occur as right readings', () => {
    const right = new Set<string>();
    const wrong: string[] = [];
    for (const d of data.domains) {
      for (const c of d.cots) {
        c.record.steps.forEach((s, t) => {
          if (c.kinds[t] !== 'read' || !(t === 0 || c.stepCorrect[t - 1])) return;
          if (c.stepCorrect[t]) right.add(s.text);
          else wrong.push(s.text);
        });
      }
    }
    expect(wrong.length).toBeGreaterThan(1000);
    expect(wrong.filter((w) => right.has(w)).length / wrong.length).toBeGreaterThan(0.97);
  });

  it('a misreading makes two read values coincide no more often than true readings do', () => {
    const dupRate = (pred: (c: SampleCot) => boolean) => {
      const cots = data.domains.flatMap((d) => d.cots).filter((c) => ['bars', 'grid', 'count', 'gauge'].includes(c.task) && pred(c));
      const dup = cots.filter((c) => {
        // the value read is the last number of a reading step ("Cell 5 is blue , worth 3 .")
        const values = c.record.steps.filter((_, t) => c.kinds[t] === 'read').map((s) => s.text.match(/\d+/g)!.at(-1));
        return new Set(values).size < values.length;
      });
      return dup.length / cots.length;
    };
    const misread = dupRate((c) => c.kinds.some((k, t) => k === 'read' && !c.stepCorrect[t] && (t === 0 || c.stepCorrect[t - 1])));
    const clean = dupRate((c) => c.stepCorrect.every(Boolean));
    // Measured: 0.40 vs 0.36 at train policy error 0.15, 0.40 vs 0.35 at 0.25 (the default since
    // the train and meta policies were aligned). A weak cue, which the text-only PRM of the demo
    // does not turn into selection skill (it stays far below pass@1); a larger gap fails here.
    expect(Math.abs(misread - clean)).toBeLessThan(0.07);
  });
});

describe('the default sample: use', () => {
  it('imports with zero rejected records, every image found, pools as written', async () => {
    const db = openDb(join(dir, 'studio.db'));
    try {
      const s = await importFile(db, join(dir, 'corpus.jsonl'), { format: 'jsonl' });
      expect(s.rejected).toBe(0);
      expect(s.errors).toEqual([]);
      expect(s.imported).toBe(corpus.length);
      expect(s.missingImages).toBe(0);
      expect(s.questions).toBe(summary.images);
      for (const [name, d] of Object.entries(summary.domains)) expect(s.domains[name], name).toBe(d.cots);
    } finally {
      db.close();
    }
  });

  it('renders a contact sheet of every task (test-artifacts/sample-contact-sheet.png)', async () => {
    mkdirSync('test-artifacts', { recursive: true });
    const file = join('test-artifacts', 'sample-contact-sheet.png');
    const r = await renderContactSheet(dir, file);
    expect(r.tiles).toBe(2 * TASK_NAMES.length);
    expect(existsSync(file)).toBe(true);
    const meta = await sharp(file).metadata();
    expect(meta.width).toBeGreaterThan(1000);
  });
});
