import type { Db } from '../store/db';
import type { Pool } from '../types';

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
