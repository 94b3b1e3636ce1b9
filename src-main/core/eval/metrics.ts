/** Best-of-N metrics on plain numbers. A candidate is one CoT of a test question. */

export interface Candidate {
  correct: boolean;
  /** normalised final answer, for self-consistency */
  answer: string;
}

/** pass@1: the expected accuracy of a uniformly random candidate. */
export function passAt1(candidates: readonly Candidate[]): number {
  if (!candidates.length) return 0;
  return candidates.filter((c) => c.correct).length / candidates.length;
}

/** oracle pass@N: 1 if any candidate is correct. */
export function oracle(candidates: readonly Candidate[]): number {
  return candidates.some((c) => c.correct) ? 1 : 0;
}

/**
 * Self-consistency: majority vote over normalised answers. A tie is split evenly, so the
 * figure is the expected accuracy of breaking the tie at random (no hidden order bias).
 */
export function selfConsistency(candidates: readonly Candidate[]): number {
  const votes = new Map<string, { n: number; correct: boolean }>();
  for (const c of candidates) {
    if (!c.answer) continue;
    const v = votes.get(c.answer) ?? { n: 0, correct: false };
    v.n += 1;
    v.correct ||= c.correct;
    votes.set(c.answer, v);
  }
  if (!votes.size) return 0;
  const top = Math.max(...[...votes.values()].map((v) => v.n));
  const leaders = [...votes.values()].filter((v) => v.n === top);
  return leaders.filter((v) => v.correct).length / leaders.length;
}

/** Index of the highest score; ties go to the first (candidates are in stored order). */
export function argmax(scores: readonly number[]): number {
  let best = -1;
  let bestScore = -Infinity;
  scores.forEach((s, i) => {
    if (s > bestScore) {
      best = i;
      bestScore = s;
    }
  });
  return best;
}

/** Area under the ROC curve of scores against binary labels (ties count half). NaN if one class is empty. */
export function auroc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let neg = 0;
  let rankSumPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]]) {
        pos++;
        rankSumPos += midRank;
      } else neg++;
    }
    i = j + 1;
  }
  if (!pos || !neg) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    for (let k = i; k <= j; k++) r[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation (Pearson on mid-ranks). NaN for fewer than 2 points or no variance. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`spearman: lengths differ (${a.length} vs ${b.length})`);
  if (a.length < 2) return NaN;
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (a.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return da && db ? num / Math.sqrt(da * db) : NaN;
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN;
}
