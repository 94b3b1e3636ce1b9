import { AGGREGATIONS, aggregate, type AggName } from '../engine/aggregate';
import type { AccuracyByN, BenchmarkResult } from '../../../src-shared/evaluation';
import { auroc, mean, oracle, passAt1 } from './metrics';

export { accuracyOf, type AccuracyByN, type BenchmarkResult } from '../../../src-shared/evaluation';
import { expectedOnSubsets, selectionAccuracy, subsetSizes, type ScoredCandidate, type SelectionMode } from './selection';
import type { TestQuestion } from './test-pool';

const pct = (x: number) => Math.round(x * 10000) / 100;

/** Every figure of one group of questions from the candidates' step scores. */
export function groupResult(
  name: string,
  qs: readonly TestQuestion[],
  scores: ReadonlyMap<number, Float32Array>,
  agg: AggName,
): BenchmarkResult {
  const scored = (a: AggName) => qs.map((q) => q.candidates.map((c) => ({ ...c, score: aggregate(a, scores.get(c.cotId)!) })));
  const perAgg = new Map(AGGREGATIONS.map((a) => [a, scored(a)]));
  const modeAcc = (mode: SelectionMode, a: AggName) => pct(mean(perAgg.get(a)!.map((cands) => selectionAccuracy(mode, cands))));
  const bon = {} as Record<AggName, number>;
  const weightedVote = {} as Record<AggName, number>;
  for (const a of AGGREGATIONS) {
    bon[a] = modeAcc('argmax', a);
    weightedVote[a] = modeAcc('weighted-vote', a);
  }
  return {
    benchmark: name,
    questions: qs.length,
    candidates: qs.reduce((n, q) => n + q.candidates.length, 0),
    passAt1: pct(mean(qs.map((q) => passAt1(q.candidates)))),
    selfConsistency: modeAcc('majority', agg),
    oracle: pct(mean(qs.map((q) => oracle(q.candidates)))),
    bon,
    weightedVote,
    stepAuroc: stepAuroc(qs, scores),
    byN: accuracyByN(perAgg.get(agg)!),
  };
}

/** Expected accuracy of each mode on random subsets of 1, 2, 4, … N candidates per question. */
function accuracyByN(questions: readonly ScoredCandidate[][]): AccuracyByN {
  const most = Math.max(0, ...questions.map((c) => c.length));
  const n = subsetSizes(most);
  const curve = (acc: (subset: ScoredCandidate[]) => number) =>
    n.map((k) => pct(mean(questions.map((cands, i) => expectedOnSubsets(cands, k, acc, i + 1)))));
  return {
    n,
    majority: curve((s) => selectionAccuracy('majority', s)),
    argmax: curve((s) => selectionAccuracy('argmax', s)),
    weightedVote: curve((s) => selectionAccuracy('weighted-vote', s)),
    oracle: curve((s) => (s.some((c) => c.correct) ? 1 : 0)),
  };
}

function stepAuroc(qs: readonly TestQuestion[], scores: ReadonlyMap<number, Float32Array>): number | null {
  const s: number[] = [];
  const y: boolean[] = [];
  for (const q of qs)
    for (const c of q.candidates) {
      const p = scores.get(c.cotId)!;
      c.stepLabels.forEach((label, t) => {
        if (label != null && t < p.length) {
          s.push(p[t]);
          y.push(label);
        }
      });
    }
  const a = auroc(s, y);
  return Number.isNaN(a) ? null : Math.round(a * 10000) / 10000;
}

/** The unweighted mean over groups, as the papers report their average. */
export function averageOf(results: readonly BenchmarkResult[]): BenchmarkResult {
  const avg = (f: (r: BenchmarkResult) => number) => Math.round(mean(results.map(f)) * 100) / 100;
  const perAgg = (f: (r: BenchmarkResult, a: AggName) => number) =>
    Object.fromEntries(AGGREGATIONS.map((a) => [a, avg((r) => f(r, a))])) as Record<AggName, number>;
  const aurocs = results.map((r) => r.stepAuroc).filter((x): x is number => x != null);
  const curves = results.map((r) => r.byN!);
  const n = curves[0]?.n ?? [];
  const curveMean = (key: Exclude<keyof AccuracyByN, 'n'>) =>
    n.map((_, i) => Math.round(mean(curves.map((c) => c[key][i] ?? c[key][c[key].length - 1])) * 100) / 100);
  return {
    benchmark: 'average',
    questions: results.reduce((k, r) => k + r.questions, 0),
    candidates: results.reduce((k, r) => k + r.candidates, 0),
    passAt1: avg((r) => r.passAt1),
    selfConsistency: avg((r) => r.selfConsistency),
    oracle: avg((r) => r.oracle),
    bon: perAgg((r, a) => r.bon[a]),
    weightedVote: perAgg((r, a) => r.weightedVote![a]),
    stepAuroc: aurocs.length ? Math.round(mean(aurocs) * 10000) / 10000 : null,
    byN: { n, majority: curveMean('majority'), argmax: curveMean('argmax'), weightedVote: curveMean('weightedVote'), oracle: curveMean('oracle') },
  };
}
