import sharp from 'sharp';
import type { Db } from '../../src-main/core/store/db';
import type { RawCot } from '../../src-main/core/engine/dataset';
import { Rng } from '../../src-main/core/engine/rng';

/**
 * A tiny image-grounded corpus for engine tests: a 48x48 picture of three bars A, B, C; the
 * question asks for the sum of two; a CoT reads both bars, adds, answers. Reading errors can
 * only be seen in the image. Per domain, `corrupt` is the fraction of step labels replaced by
 * wrong ones (a bad labelling pipeline).
 */
export interface SynthDomain {
  name: string;
  cots: number;
  corrupt: number;
}

export interface SynthQuestion {
  heights: number[];
  pixels: Float32Array;
}

const SIZE = 48;
const LETTERS = ['A', 'B', 'C'];

export function drawBars(heights: number[]): Float32Array {
  const px = new Float32Array(SIZE * SIZE * 3);
  heights.forEach((h, k) => {
    const x0 = 4 + k * 15;
    for (let y = SIZE - 2 - h * 4; y < SIZE - 2; y++) {
      for (let x = x0; x < x0 + 10; x++) px[(y * SIZE + x) * 3 + k] = 1;
    }
  });
  return px;
}

export function synthCot(rng: Rng, cotId: number, domain: string, imageId: number, corrupt: number): { cot: RawCot; heights: number[] } {
  const heights = [1 + rng.int(9), 1 + rng.int(9), 1 + rng.int(9)];
  const a = rng.int(3);
  const b = (a + 1 + rng.int(2)) % 3;
  const readA = rng.next() < 0.3 ? ((heights[a] + rng.int(8)) % 9) + 1 : heights[a];
  const readB = rng.next() < 0.3 ? ((heights[b] + rng.int(8)) % 9) + 1 : heights[b];
  const sum = rng.next() < 0.15 ? readA + readB + 1 : readA + readB;
  const truth = [readA === heights[a], readB === heights[b], sum === readA + readB];
  let ok = true;
  const correctness = truth.map((t) => (ok = ok && t));
  correctness.push(ok);
  const steps = [
    `Bar ${LETTERS[a]} has height ${readA} .`,
    `Bar ${LETTERS[b]} has height ${readB} .`,
    `${readA} + ${readB} = ${sum} .`,
    `Answer : ${sum}`,
  ];
  const labels = correctness.map((c) => {
    const m = c ? 0.8 + 0.2 * rng.next() : 0.1 * rng.next();
    return rng.next() < corrupt ? 1 - m : m;
  });
  return {
    heights,
    cot: {
      cotId,
      questionId: cotId,
      domain,
      question: `What is the sum of bar ${LETTERS[a]} and bar ${LETTERS[b]} ?`,
      imageId,
      steps,
      labels,
      vectors: steps.map((_, i) => Float32Array.from({ length: 6 }, (_, j) => (j === i ? 1 : 0) + (correctness[i] ? 0.5 : -0.5))),
      correct: ok ? 1 : 0,
    },
  };
}

export interface SynthCorpus {
  train: RawCot[];
  meta: RawCot[];
  images: Map<number, Float32Array>;
}

export function synthCorpus(seed: number, domains: SynthDomain[], metaCots: number): SynthCorpus {
  const rng = new Rng(seed);
  const images = new Map<number, Float32Array>();
  const train: RawCot[] = [];
  const meta: RawCot[] = [];
  let id = 1;
  for (const d of domains) {
    for (let i = 0; i < d.cots; i++, id++) {
      const { cot, heights } = synthCot(rng, id, d.name, id, d.corrupt);
      images.set(id, drawBars(heights));
      train.push(cot);
    }
  }
  for (let i = 0; i < metaCots; i++, id++) {
    const { cot, heights } = synthCot(rng, id, 'meta', id, 0);
    images.set(id, drawBars(heights));
    cot.labels = cot.labels.map(() => null);
    meta.push(cot);
  }
  return { train, meta, images };
}

/** The corpus as image-table rows for tensorsFromRaw. */
export function imageTableOf(c: SynthCorpus): { rows: Map<number, number>; table: { pixels: Float32Array; count: number; size: number } } {
  const rows = new Map<number, number>();
  const per = SIZE * SIZE * 3;
  const pixels = new Float32Array((c.images.size + 1) * per);
  let r = 1;
  for (const [id, px] of c.images) {
    rows.set(id, r);
    pixels.set(px, r * per);
    r++;
  }
  return { rows, table: { pixels, count: r, size: SIZE } };
}

/** Writes the corpus into a studio database (schema 001), images as PNG. */
export async function insertSynth(db: Db, c: SynthCorpus): Promise<void> {
  const pngs = new Map<number, Buffer>();
  for (const [id, px] of c.images) {
    const raw = Buffer.from(Uint8Array.from(px, (v) => Math.round(v * 255)));
    pngs.set(id, await sharp(raw, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toBuffer());
  }
  const domainId = new Map<string, number>();
  const insDomain = db.prepare('INSERT INTO domains (name, pool) VALUES (?, ?)');
  const insImage = db.prepare(
    `INSERT INTO images (id, sha256, mime, width, height, bytes, thumb) VALUES (?, ?, 'image/png', ${SIZE}, ${SIZE}, ?, ?)`,
  );
  const insQ = db.prepare('INSERT INTO questions (id, ext_id, domain_id, text) VALUES (?, ?, ?, ?)');
  const insQi = db.prepare('INSERT INTO question_images (question_id, ord, image_id, path) VALUES (?, 0, ?, ?)');
  const insCot = db.prepare('INSERT INTO cots (id, question_id, ext_id, correct, n_steps) VALUES (?, ?, ?, ?, ?)');
  const insStep = db.prepare('INSERT INTO steps (cot_id, idx, text, mc, k, vector) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    const add = (cot: RawCot, pool: string) => {
      const key = `${pool}:${cot.domain}`;
      if (!domainId.has(key)) domainId.set(key, Number(insDomain.run(cot.domain, pool).lastInsertRowid));
      const png = pngs.get(cot.imageId!)!;
      insImage.run(cot.imageId, `sha-${cot.imageId}`, png, png);
      insQ.run(cot.cotId, `q${cot.cotId}`, domainId.get(key), cot.question);
      insQi.run(cot.cotId, cot.imageId, `img${cot.imageId}.png`);
      insCot.run(cot.cotId, cot.cotId, `c${cot.cotId}`, cot.correct, cot.steps.length);
      cot.steps.forEach((s, i) => {
        const v = cot.vectors[i];
        insStep.run(cot.cotId, i, s, cot.labels[i], cot.labels[i] === null ? null : 8, v ? Buffer.from(v.buffer) : null);
      });
    };
    for (const cot of c.train) add(cot, 'train');
    for (const cot of c.meta) add(cot, 'meta');
  })();
}
