import { UserError } from '../errors';
import type { ModelConfig } from './config';
import type { RawCot } from './dataset';
import type { Vocabulary } from './tokenizer';

/**
 * A set of CoTs as flat typed arrays, padded to T steps of L tokens. Row i of every per-step
 * array covers [i*T, (i+1)*T). This is what is uploaded to tensors once per run.
 */
export interface CotTable {
  n: number;
  T: number;
  L: number;
  Lq: number;
  cotIds: Int32Array;
  /** index into the dataset's domain list */
  domain: Int32Array;
  /** store id of the CoT's question (the meta loss ranks CoTs of one question against each other) */
  question: Int32Array;
  /** row of the image tensor; 0 is the blank image */
  imageRow: Int32Array;
  nSteps: Int32Array;
  /** [n*T*L] word ids */
  stepTokens: Int32Array;
  /** [n*T*(L-1)] hashed bigram ids 1..H (0: none), or empty when bigrams are off */
  stepBigrams: Int32Array;
  /** [n*T*NUMBER_FEATURES]: the step's first numbers as quantities (see numberFeatures) */
  stepNumbers: Float32Array;
  /** [n*Lq] */
  questionTokens: Int32Array;
  /** [n*T] */
  stepMask: Float32Array;
  labels: Float32Array;
  labelMask: Float32Array;
  /** [n] CoT correctness, 0 when unknown */
  correct: Float32Array;
  /** [n*T*vectorDim] or empty */
  vectors: Float32Array;
  vectorDim: number;
}

/**
 * Indices of the steps kept when a CoT is longer than T: the first T-1 and the final one,
 * because the final step carries the answer that best-of-N selection depends on.
 */
export function keptSteps(n: number, T: number): number[] {
  if (n <= T) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: T - 1 }, (_, i) => i), n - 1];
}

/** Numbers per step kept as quantities, and the features per number (value, present). */
export const NUMBERS_PER_STEP = 3;
export const NUMBER_FEATURES = NUMBERS_PER_STEP * 2;
const NUMBER_IN_TEXT = /-?\d+(?:\.\d+)?/g;

/**
 * A step's first numbers as quantities: value / 10 (clipped to ±10) and a presence flag each.
 * As word tokens, "2" and "3" are unrelated symbols; as quantities, a claimed value can be
 * compared with a value read from the image by a difference, which one ReLU layer can judge.
 */
export function numberFeatures(text: string, out: Float32Array, offset: number): void {
  const found = text.match(NUMBER_IN_TEXT) ?? [];
  for (let i = 0; i < NUMBERS_PER_STEP; i++) {
    const v = i < found.length ? Number(found[i]) : NaN;
    const ok = Number.isFinite(v);
    out[offset + 2 * i] = ok ? Math.max(-10, Math.min(10, v / 10)) : 0;
    out[offset + 2 * i + 1] = ok ? 1 : 0;
  }
}

function bigramId(a: number, b: number, buckets: number): number {
  return ((Math.imul(a + 1, 0x9e3779b1) ^ Math.imul(b + 7, 0x85ebca6b)) >>> 0) % buckets;
}

/**
 * Encodes CoTs into a CotTable. `imageRows` maps image ids to rows of the image table (0, the
 * blank image, for CoTs without one); `domains` lists domain names in index order.
 */
export function encodeCots(
  cots: readonly RawCot[],
  vocab: Vocabulary,
  model: ModelConfig,
  imageRows: ReadonlyMap<number, number>,
  domains: readonly string[],
  opts: { vectors?: boolean; label?: string; maxSteps?: number } = {},
): CotTable {
  const longest = cots.reduce((a, c) => Math.max(a, c.steps.length), 1);
  const T = Math.max(1, Math.min(opts.maxSteps ?? model.maxSteps, longest));
  const label = opts.label ?? 'data';
  const t = emptyTable(cots.length, T, model, opts.vectors ? vectorDimOf(cots, label) : 0);
  const domainIndex = new Map(domains.map((d, i) => [d, i]));
  const ids = new Int32Array(t.L);
  cots.forEach((c, i) => {
    t.cotIds[i] = c.cotId;
    t.domain[i] = domainIndex.get(c.domain) ?? 0;
    t.question[i] = c.questionId;
    t.imageRow[i] = c.imageId === null ? 0 : (imageRows.get(c.imageId) ?? 0);
    t.correct[i] = c.correct ?? 0;
    vocab.encodeInto(c.question, t.questionTokens, i * t.Lq, t.Lq);
    const kept = keptSteps(c.steps.length, T);
    t.nSteps[i] = kept.length;
    kept.forEach((src, j) => encodeStep(t, c, src, i * T + j, { vocab, buckets: model.bigramBuckets, ids, label }));
  });
  return t;
}

/** The features PRM's vector width: the first stored step vector's length. */
function vectorDimOf(cots: readonly RawCot[], label: string): number {
  const first = cots.find((c) => c.vectors.some((v) => v));
  const dim = first?.vectors.find((v) => v)?.length ?? 0;
  if (!dim) {
    throw new UserError(
      `${label}: the features PRM needs step vectors, but no step has one ` +
        '(import them with the JSONL field steps[].vector, or use model.kind "compact")',
    );
  }
  return dim;
}

function emptyTable(n: number, T: number, model: ModelConfig, vectorDim: number): CotTable {
  const L = model.maxStepTokens;
  const Lq = model.maxQuestionTokens;
  const H = model.bigramBuckets;
  return {
    n,
    T,
    L,
    Lq,
    cotIds: new Int32Array(n),
    domain: new Int32Array(n),
    question: new Int32Array(n),
    imageRow: new Int32Array(n),
    nSteps: new Int32Array(n),
    stepTokens: new Int32Array(n * T * L),
    stepBigrams: new Int32Array(H > 0 ? n * T * (L - 1) : 0),
    stepNumbers: new Float32Array(n * T * NUMBER_FEATURES),
    questionTokens: new Int32Array(n * Lq),
    stepMask: new Float32Array(n * T),
    labels: new Float32Array(n * T),
    labelMask: new Float32Array(n * T),
    correct: new Float32Array(n),
    vectors: new Float32Array(n * T * vectorDim),
    vectorDim,
  };
}

/** Step `src` of CoT `c` into row `row` of the table: words, bigrams, numbers, label, vector. */
function encodeStep(
  t: CotTable,
  c: RawCot,
  src: number,
  row: number,
  ctx: { vocab: Vocabulary; buckets: number; ids: Int32Array; label: string },
): void {
  const { L } = t;
  const H = ctx.buckets;
  const nt = ctx.vocab.encodeInto(c.steps[src], t.stepTokens, row * L, L);
  if (H > 0) {
    ctx.ids.set(t.stepTokens.subarray(row * L, row * L + L));
    // 0 marks an empty slot (like PAD for words); buckets are 1..H.
    for (let k = 0; k < L - 1; k++) {
      t.stepBigrams[row * (L - 1) + k] = k + 1 < nt ? bigramId(ctx.ids[k], ctx.ids[k + 1], H) + 1 : 0;
    }
  }
  numberFeatures(c.steps[src], t.stepNumbers, row * NUMBER_FEATURES);
  t.stepMask[row] = 1;
  const label = c.labels[src];
  if (label !== null && label !== undefined) {
    if (!(label >= 0 && label <= 1)) {
      throw new UserError(`${ctx.label}: CoT ${c.cotId} step ${src + 1} has label ${label}; step labels must lie in [0, 1]`);
    }
    t.labels[row] = label;
    t.labelMask[row] = 1;
  }
  if (t.vectorDim) {
    const v = c.vectors[src];
    if (!v || v.length !== t.vectorDim) {
      throw new UserError(
        `${ctx.label}: CoT ${c.cotId} step ${src + 1} has ${v ? `a vector of length ${v.length}` : 'no vector'}; ` +
          `the features PRM needs a vector of length ${t.vectorDim} on every step`,
      );
    }
    t.vectors.set(v, row * t.vectorDim);
  }
}
