import type { SampleDomain } from './build';

/** Statistics of a train domain: how good its step labels are, measured against the truth. */
export interface TrainDomainStats {
  questions: number;
  cots: number;
  steps: number;
  /** agreement of the stored labels (m ≥ 0.5) with true step correctness: the domain's quality */
  quality: number;
  /** the same agreement before the corruption knob touched the labels */
  agreementBeforeCorruption: number;
  corruptedSteps: number;
  /** share of steps that are truly correct */
  stepAccuracy: number;
  /** share of CoTs whose final answer is right */
  cotAccuracy: number;
  meanM: number;
}

export interface MetaStats {
  questions: number;
  cots: number;
  accuracy: number;
}

export interface BenchmarkStats {
  questions: number;
  candidates: number;
  /** mean correctness of the candidates */
  'pass@1': number;
  /** share of questions with at least one correct candidate */
  oracle: number;
  /** majority vote over final answers (ties: the answer seen first) */
  selfConsistency: number;
}

export function trainStats(d: SampleDomain): TrainDomainStats {
  let steps = 0;
  let agree = 0;
  let agreeBefore = 0;
  let corrupted = 0;
  let correctSteps = 0;
  let correctCots = 0;
  let sumM = 0;
  for (const cot of d.cots) {
    const truth = cot.record.groundTruth;
    if (cot.record.answer === truth) correctCots++;
    cot.record.steps.forEach((s, t) => {
      const m = s.m ?? 0;
      const ok = cot.stepCorrect[t];
      steps++;
      sumM += m;
      if (ok) correctSteps++;
      if (m >= 0.5 === ok) agree++;
      if ((cot.cleanM?.[t] ?? m) >= 0.5 === ok) agreeBefore++;
      if (cot.corrupted?.[t]) corrupted++;
    });
  }
  return {
    questions: d.questions.length,
    cots: d.cots.length,
    steps,
    quality: ratio(agree, steps),
    agreementBeforeCorruption: ratio(agreeBefore, steps),
    corruptedSteps: corrupted,
    stepAccuracy: ratio(correctSteps, steps),
    cotAccuracy: ratio(correctCots, d.cots.length),
    meanM: ratio(sumM, steps),
  };
}

export function metaStats(d: SampleDomain): MetaStats {
  const correct = d.cots.filter((c) => c.record.correct).length;
  return { questions: d.questions.length, cots: d.cots.length, accuracy: ratio(correct, d.cots.length) };
}

export function benchmarkStats(d: SampleDomain): BenchmarkStats {
  const byQuestion = new Map<string, { answer: string; correct: boolean }[]>();
  for (const c of d.cots) {
    const list = byQuestion.get(c.record.qid) ?? [];
    list.push({ answer: c.record.answer ?? '', correct: c.record.correct === true });
    byQuestion.set(c.record.qid, list);
  }
  let pass1 = 0;
  let oracle = 0;
  let vote = 0;
  for (const cands of byQuestion.values()) {
    pass1 += cands.filter((c) => c.correct).length / cands.length;
    if (cands.some((c) => c.correct)) oracle++;
    const tally = new Map<string, number>();
    for (const c of cands) tally.set(c.answer, (tally.get(c.answer) ?? 0) + 1);
    let best = cands[0];
    for (const c of cands) if ((tally.get(c.answer) ?? 0) > (tally.get(best.answer) ?? 0)) best = c;
    if (best.correct) vote++;
  }
  const n = byQuestion.size;
  const candidates = n > 0 ? d.cots.length / n : 0;
  return { questions: n, candidates, 'pass@1': ratio(pass1, n), oracle: ratio(oracle, n), selfConsistency: ratio(vote, n) };
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
