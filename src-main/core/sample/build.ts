import type { CanonicalCotRecord, Pool } from '../types';
import type { BenchmarkConfig, MetaPoolConfig, SampleConfig, TrainDomainConfig } from './config';
import { monteCarloLabels, questionPolicy, sampleCot, type PolicyKnobs } from './policy';
import type { Canvas } from './raster';
import { SampleRng } from './rng';
import { makeProblem, type Problem, type StepPlan, type TaskName } from './tasks';

/** One generated CoT with what only the generator knows (kept out of the corpus file). */
export interface SampleCot {
  record: CanonicalCotRecord;
  task: TaskName;
  /** true step correctness: the prefix up to and including the step is error-free */
  stepCorrect: boolean[];
  /** what each step does: read a value off the image, calculate, or answer */
  kinds: StepPlan['kind'][];
  /** the Monte Carlo labels before any corruption (train pool only) */
  cleanM?: number[];
  corrupted?: boolean[];
}

export interface SampleQuestion {
  qid: string;
  task: TaskName;
  image: string;
  canvas: Canvas;
}

export interface SampleDomain {
  name: string;
  pool: Pool;
  questions: SampleQuestion[];
  cots: SampleCot[];
}

/** Everything the generator produced, in memory, before it is written out. */
export interface SampleData {
  seed: number;
  config: SampleConfig;
  domains: SampleDomain[];
}

/**
 * Generates the whole sample. Each domain draws from its own random stream derived from the
 * seed and the domain's name, so editing one domain of a config leaves the others unchanged.
 */
export function buildSample(config: SampleConfig, seed: number): SampleData {
  const domains: SampleDomain[] = [];
  for (const d of config.train) domains.push(buildTrainDomain(d, seed));
  domains.push(buildMeta(config.meta, seed));
  for (const b of config.test) domains.push(buildBenchmark(b, seed));
  return { seed, config, domains };
}

interface Drawn {
  question: SampleQuestion;
  problem: Problem;
  policy: ReturnType<typeof questionPolicy>;
}

function drawQuestion(domain: string, task: TaskName, index: number, knobs: PolicyKnobs & { difficulty: number }, rng: SampleRng): Drawn {
  const long = rng.chance(knobs.difficulty);
  const problem = makeProblem(task, rng, long);
  const policy = questionPolicy(problem, knobs, rng);
  const qid = `${task}-${String(index + 1).padStart(4, '0')}`;
  return { question: { qid, task, image: `images/${domain}_${qid}.png`, canvas: problem.canvas }, problem, policy };
}

function baseRecord(domain: string, pool: Pool, drawn: Drawn, cotIndex: number): Omit<CanonicalCotRecord, 'steps'> {
  const { question, problem } = drawn;
  return {
    qid: question.qid,
    question: problem.question,
    images: [question.image],
    groundTruth: String(problem.truth[problem.answerSlot]),
    task: question.task,
    domain,
    pool,
    cotId: `c${cotIndex + 1}`,
  };
}

function buildTrainDomain(d: TrainDomainConfig, seed: number): SampleDomain {
  const rng = SampleRng.derive(seed, `train:${d.name}`);
  const out: SampleDomain = { name: d.name, pool: 'train', questions: [], cots: [] };
  for (let q = 0; out.cots.length < d.size; q++) {
    const task = d.tasks[q % d.tasks.length];
    const drawn = drawQuestion(d.name, task, q, d, rng);
    out.questions.push(drawn.question);
    const n = Math.min(d.cotsPerQuestion, d.size - out.cots.length);
    for (let c = 0; c < n; c++) {
      const trace = sampleCot(drawn.problem, drawn.policy, rng);
      const cleanM = monteCarloLabels(drawn.problem, drawn.policy, trace.values, d.k, rng);
      const corrupted = cleanM.map(() => rng.chance(d.corruptionRate));
      const m = cleanM.map((v, t) => (corrupted[t] ? corrupt(v, d, rng) : v));
      out.cots.push({
        record: {
          ...baseRecord(d.name, 'train', drawn, c),
          steps: trace.texts.map((text, t) => ({ text, m: m[t], k: d.k })),
          answer: String(trace.answer),
        },
        task,
        stepCorrect: trace.stepCorrect,
        kinds: kindsOf(drawn.problem),
        cleanM,
        corrupted,
      });
    }
  }
  return out;
}

function kindsOf(problem: Problem): StepPlan['kind'][] {
  return problem.steps.map((s) => s.kind);
}

/** What a broken labelling pipeline writes instead of the true Monte Carlo estimate. */
function corrupt(m: number, d: TrainDomainConfig, rng: SampleRng): number {
  return d.corruption === 'invert' ? 1 - m : rng.between(0, d.k) / d.k;
}

function buildMeta(meta: MetaPoolConfig, seed: number): SampleDomain {
  const rng = SampleRng.derive(seed, `meta:${meta.name}`);
  const out: SampleDomain = { name: meta.name, pool: 'meta', questions: [], cots: [] };
  for (let q = 0; out.cots.length < meta.size; q++) {
    const task = meta.tasks[q % meta.tasks.length];
    const drawn = drawQuestion(meta.name, task, q, meta, rng);
    out.questions.push(drawn.question);
    const n = Math.min(meta.cotsPerQuestion, meta.size - out.cots.length);
    for (let c = 0; c < n; c++) {
      const trace = sampleCot(drawn.problem, drawn.policy, rng);
      out.cots.push({
        record: {
          ...baseRecord(meta.name, 'meta', drawn, c),
          steps: trace.texts.map((text) => ({ text })),
          answer: String(trace.answer),
          correct: trace.correct,
        },
        task,
        stepCorrect: trace.stepCorrect,
        kinds: kindsOf(drawn.problem),
      });
    }
  }
  return out;
}

function buildBenchmark(b: BenchmarkConfig, seed: number): SampleDomain {
  const rng = SampleRng.derive(seed, `test:${b.name}`);
  const out: SampleDomain = { name: b.name, pool: 'test', questions: [], cots: [] };
  for (let q = 0; q < b.questions; q++) {
    const task = b.tasks[q % b.tasks.length];
    const drawn = drawQuestion(b.name, task, q, b, rng);
    out.questions.push(drawn.question);
    for (let c = 0; c < b.candidates; c++) {
      const trace = sampleCot(drawn.problem, drawn.policy, rng);
      out.cots.push({
        record: {
          ...baseRecord(b.name, 'test', drawn, c),
          // The true step correctness rides along as a dataset label (m of 0 or 1, no rollout
          // count, as for VisualPRM's +/-) so that evaluation can measure step-level AUROC on
          // the test pool. It is not a human label, and test labels never reach training.
          steps: trace.texts.map((text, t) => ({ text, m: trace.stepCorrect[t] ? 1 : 0 })),
          answer: String(trace.answer),
          correct: trace.correct,
        },
        task,
        stepCorrect: trace.stepCorrect,
        kinds: kindsOf(drawn.problem),
      });
    }
  }
  return out;
}
