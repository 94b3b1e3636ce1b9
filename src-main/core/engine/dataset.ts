import type { Db } from '../store/db';
import type { Pool } from '../types';
import { UserError } from '../errors';
import type { ModelConfig } from './config';
import { decodeImages, type ImageSource } from './images';
import { Vocabulary } from './tokenizer';

/** One CoT as read from the store, before encoding. */
export interface RawCot {
  cotId: number;
  /** the question's id in the store: CoTs answering the same question share it */
  questionId: number;
  domain: string;
  question: string;
  /** first image of the question; null when it has none or the file was missing at import */
  imageId: number | null;
  steps: string[];
  /** per-step training label (human label overrides m), null when unlabelled */
  labels: (number | null)[];
  /** per-step precomputed vectors (features PRM), null when absent */
  vectors: (Float32Array | null)[];
  /** CoT correctness (meta and test pools) */
  correct: number | null;
}

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

export interface ImageTable {
  /** [(count) * size * size * 3], row 0 blank */
  pixels: Float32Array;
  count: number;
  size: number;
}

/** Loads the CoTs of a pool. Excluded domains are skipped. */
export function readPool(
  db: Db,
  pool: Pool | null,
  want: 'step-labels' | 'correctness' | 'all',
  opts: { cotIds?: readonly number[] } = {},
): RawCot[] {
  const byId = new Map<number, RawCot>();
  const order: RawCot[] = [];
  const filterIds = opts.cotIds ? `AND c.id IN (SELECT value FROM json_each(?))` : '';
  // pool null: any pool (scoring by CoT id); excluded domains are then kept too.
  const poolFilter = pool === null ? '1 = 1' : `d.pool = ? AND d.excluded = 0`;
  const args: unknown[] = pool === null ? [] : [pool];
  if (opts.cotIds) args.push(JSON.stringify(opts.cotIds));
  const cots = db
    .prepare(
      `SELECT c.id AS cotId, q.id AS questionId, c.correct AS correct, q.text AS question, d.name AS domain,
         (SELECT qi.image_id FROM question_images qi WHERE qi.question_id = q.id
            ORDER BY qi.ord LIMIT 1) AS imageId
       FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
       WHERE ${poolFilter} ${filterIds}
       ORDER BY c.id`,
    )
    .iterate(...args) as Iterable<{
    cotId: number;
    questionId: number;
    correct: number | null;
    question: string;
    domain: string;
    imageId: number | null;
  }>;
  for (const c of cots) {
    const r: RawCot = { ...c, steps: [], labels: [], vectors: [] };
    byId.set(c.cotId, r);
    order.push(r);
  }
  const steps = db
    .prepare(
      `SELECT s.cot_id AS cotId, s.text AS text, s.mc AS mc, s.human AS human, s.vector AS vector
       FROM steps s JOIN cots c ON c.id = s.cot_id JOIN questions q ON q.id = c.question_id
       JOIN domains d ON d.id = q.domain_id
       WHERE ${poolFilter} ${filterIds}
       ORDER BY s.cot_id, s.idx`,
    )
    .iterate(...args) as Iterable<{
    cotId: number;
    text: string;
    mc: number | null;
    human: number | null;
    vector: Buffer | null;
  }>;
  for (const s of steps) {
    const r = byId.get(s.cotId);
    if (!r) continue;
    r.steps.push(s.text);
    r.labels.push(s.human ?? s.mc);
    r.vectors.push(s.vector ? blobToFloat32(s.vector) : null);
  }
  return order.filter((r) => {
    if (!r.steps.length) return false;
    if (want === 'step-labels') return r.labels.some((l) => l !== null);
    if (want === 'correctness') return r.correct !== null;
    return true;
  });
}

export function blobToFloat32(b: Uint8Array): Float32Array {
  // Copy: SQLite buffers need not be 4-byte aligned.
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer, 0, Math.floor(b.byteLength / 4));
}

export function float32ToBlob(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Texts a run's vocabulary is built from: questions and steps of the train and meta pools. */
export function* corpusTexts(...pools: RawCot[][]): Iterable<string> {
  const seenQ = new Set<string>();
  for (const pool of pools) {
    for (const c of pool) {
      if (!seenQ.has(c.question)) {
        seenQ.add(c.question);
        yield c.question;
      }
      yield* c.steps;
    }
  }
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
  const n = cots.length;
  const longest = cots.reduce((a, c) => Math.max(a, c.steps.length), 1);
  const T = Math.max(1, Math.min(opts.maxSteps ?? model.maxSteps, longest));
  const L = model.maxStepTokens;
  const Lq = model.maxQuestionTokens;
  const H = model.bigramBuckets;
  const domainIndex = new Map(domains.map((d, i) => [d, i]));
  let vectorDim = 0;
  if (opts.vectors) {
    const first = cots.find((c) => c.vectors.some((v) => v));
    vectorDim = first?.vectors.find((v) => v)?.length ?? 0;
    if (!vectorDim) {
      throw new UserError(
        `${opts.label ?? 'data'}: the features PRM needs step vectors, but no step has one ` +
          '(import them with the JSONL field steps[].vector, or use model.kind "compact")',
      );
    }
  }
  const t: CotTable = {
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
  const ids = new Int32Array(L);
  cots.forEach((c, i) => {
    t.cotIds[i] = c.cotId;
    t.domain[i] = domainIndex.get(c.domain) ?? 0;
    t.question[i] = c.questionId;
    t.imageRow[i] = c.imageId === null ? 0 : (imageRows.get(c.imageId) ?? 0);
    t.correct[i] = c.correct ?? 0;
    vocab.encodeInto(c.question, t.questionTokens, i * Lq, Lq);
    const kept = keptSteps(c.steps.length, T);
    t.nSteps[i] = kept.length;
    kept.forEach((src, j) => {
      const row = i * T + j;
      const nt = vocab.encodeInto(c.steps[src], t.stepTokens, row * L, L);
      if (H > 0) {
        ids.set(t.stepTokens.subarray(row * L, row * L + L));
        // 0 marks an empty slot (like PAD for words); buckets are 1..H.
        for (let k = 0; k < L - 1; k++) {
          t.stepBigrams[row * (L - 1) + k] = k + 1 < nt ? bigramId(ids[k], ids[k + 1], H) + 1 : 0;
        }
      }
      numberFeatures(c.steps[src], t.stepNumbers, row * NUMBER_FEATURES);
      t.stepMask[row] = 1;
      const label = c.labels[src];
      if (label !== null && label !== undefined) {
        if (!(label >= 0 && label <= 1)) {
          throw new UserError(
            `${opts.label ?? 'data'}: CoT ${c.cotId} step ${src + 1} has label ${label}; step labels must lie in [0, 1]`,
          );
        }
        t.labels[row] = label;
        t.labelMask[row] = 1;
      }
      if (vectorDim) {
        const v = c.vectors[src];
        if (!v || v.length !== vectorDim) {
          throw new UserError(
            `${opts.label ?? 'data'}: CoT ${c.cotId} step ${src + 1} has ${v ? `a vector of length ${v.length}` : 'no vector'}; ` +
              `the features PRM needs a vector of length ${vectorDim} on every step`,
          );
        }
        t.vectors.set(v, row * vectorDim);
      }
    });
  });
  return t;
}

/** Distinct image ids of the CoTs, mapped to rows 1..n of an image table (0 is blank). */
export function imageRowsOf(...pools: (readonly RawCot[])[]): Map<number, number> {
  const rows = new Map<number, number>();
  for (const pool of pools) {
    for (const c of pool) if (c.imageId !== null && !rows.has(c.imageId)) rows.set(c.imageId, rows.size + 1);
  }
  return rows;
}

/** Decodes the images of `rows` from the store. */
export async function loadImageTable(db: Db, rows: ReadonlyMap<number, number>, size: number, dbKey: string): Promise<ImageTable> {
  const get = db.prepare('SELECT bytes FROM images WHERE id = ?').pluck();
  const sources: ImageSource[] = [{ key: 'blank', load: () => BLANK_PNG }];
  for (const [id] of [...rows.entries()].sort((a, b) => a[1] - b[1])) {
    sources.push({
      key: `${dbKey}#image${id}`,
      load: () => {
        const bytes = get.get(id) as Buffer | undefined;
        if (!bytes) throw new Error(`image ${id} is not in the database`);
        return bytes;
      },
    });
  }
  const pixels = await decodeImages(sources, size);
  pixels.fill(0, 0, size * size * 3);
  return { pixels, count: sources.length, size };
}

// A 1x1 black PNG; row 0 is zeroed after decoding anyway.
const BLANK_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC',
  'base64',
);
