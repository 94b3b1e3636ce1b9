import * as tf from '@tensorflow/tfjs';
import type { Db } from '../store/db';
import { UserError } from '../errors';
import { getModelSpec, getRun, latestCheckpoint } from '../store/runs-store';
import { unpackState } from './checkpoint';
import { encodeCots } from './cot-table';
import { readPool, type RawCot } from './dataset';
import { disposeBatch, gatherBatch, disposeTable, uploadTable } from './batch';
import { disposeImages, uploadImages, type ImageTensors } from './image-features';
import type { EngineState } from './engine';
import { decodeImages, type ImageSource } from './images';
import { createPrm, type Prm } from './prm';
import { prmSpecOf, storedModelConfig, type ModelSpecJson } from './training-data';
import { Vocabulary } from './tokenizer';

/** A trained PRM loaded for scoring: its spec, vocabulary and weights as tensors. */
export interface TrainedPrm {
  runId: number | null;
  spec: ModelSpecJson;
  prm: Prm;
  vocab: Vocabulary;
  params: Record<string, tf.Tensor>;
  /** the training step of the weights */
  step: number;
  dispose(): void;
}

/** One CoT to score. Images are decoded to the model's input size (cached by key). */
export interface ScoringCot {
  question: string;
  image: { key: string; png: Uint8Array } | null;
  steps: string[];
  /** per-step vectors, for the features PRM */
  vectors?: (Float32Array | null)[];
}

/** Loads the weights of a run's latest checkpoint (its final one once completed). */
export function loadTrainedPrm(db: Db, runId: number): TrainedPrm {
  const run = getRun(db, runId);
  const spec = getModelSpec<ModelSpecJson>(db, runId);
  const ck = latestCheckpoint(db, runId);
  if (!spec || !ck) {
    throw new UserError(`run ${runId} (${run.status}) has no trained model yet: it has not written a checkpoint`);
  }
  const state = unpackState<{ engine: EngineState }>(ck.state);
  // Settings added since the run was trained take their defaults.
  return fromParams({ ...spec, model: storedModelConfig(spec.model, runId) }, state.engine.lower.params, runId, ck.step);
}

export function fromParams(spec: ModelSpecJson, values: Record<string, Float32Array>, runId: number | null, step: number): TrainedPrm {
  const prm = createPrm(prmSpecOf(spec));
  const params: Record<string, tf.Tensor> = {};
  for (const [name, shape] of Object.entries(prm.shapes)) {
    if (!values[name]) throw new UserError(`the stored model lacks parameter ${name}; was it trained by another version?`);
    params[name] = tf.tensor(values[name], shape);
  }
  return {
    runId,
    spec,
    prm,
    vocab: Vocabulary.fromJson(spec.vocab),
    params,
    step,
    dispose: () => tf.dispose(Object.values(params)),
  };
}

/**
 * Per-step probabilities p_t for each CoT, in order. Batched and tidy: one forward pass per
 * `batchSize` CoTs; CoTs longer than the training maxSteps are scored whole (later steps
 * share the last position feature).
 */
export async function scoreCots(model: TrainedPrm, cots: readonly ScoringCot[], opts: { batchSize?: number } = {}): Promise<Float32Array[]> {
  const m = model.spec.model;
  const useImages = m.kind === 'compact' && m.image;
  const batchSize = opts.batchSize ?? 128;
  const out: Float32Array[] = [];
  for (let start = 0; start < cots.length; start += batchSize) {
    const chunk = cots.slice(start, start + batchSize);
    const rows = new Map<number, number>();
    const sources: ImageSource[] = [];
    const raws: RawCot[] = chunk.map((c, i) => {
      let imageId: number | null = null;
      if (useImages && c.image) {
        imageId = i + 1;
        rows.set(imageId, sources.length + 1);
        const png = c.image.png;
        sources.push({ key: c.image.key, load: () => png });
      }
      return {
        cotId: start + i,
        questionId: start + i,
        domain: '',
        question: c.question,
        imageId,
        steps: c.steps,
        labels: c.steps.map(() => null),
        vectors: c.vectors ?? c.steps.map(() => null),
        correct: null,
      };
    });
    const table = encodeCots(raws, model.vocab, m, rows, [''], {
      vectors: m.kind === 'features',
      maxSteps: Number.MAX_SAFE_INTEGER,
      label: 'scoring',
    });
    let images: ImageTensors | null = null;
    if (useImages) {
      const size = m.imageSize;
      const pixels = new Float32Array((sources.length + 1) * size * size * 3);
      pixels.set(await decodeImages(sources, size), size * size * 3);
      images = uploadImages({ pixels, count: sources.length + 1, size }, m.patchSize);
    }
    const dev = uploadTable(table);
    const batch = gatherBatch(dev, images, Int32Array.from(chunk, (_, i) => i), m.patchSize);
    try {
      const probs = tf.tidy(() => tf.sigmoid(model.prm.forward(model.params, batch)));
      const flat = (await probs.data()) as Float32Array;
      probs.dispose();
      for (let i = 0; i < chunk.length; i++) {
        out.push(flat.slice(i * table.T, i * table.T + chunk[i].steps.length));
      }
    } finally {
      disposeBatch(batch);
      disposeTable(dev);
      disposeImages(images);
    }
  }
  return out;
}

/** Per-step probabilities by CoT id from the store, in the order asked (for evaluation). */
export type StepScorer = (cotIds: number[]) => Promise<Float32Array[]>;

export function createStepScorer(db: Db, model: TrainedPrm, dbKey = 'db'): StepScorer {
  const imageBytes = db.prepare('SELECT bytes FROM images WHERE id = ?').pluck();
  return async (cotIds) => {
    const raws = readPool(db, null, 'all', { cotIds });
    const byId = new Map(raws.map((r) => [r.cotId, r]));
    const cots = cotIds.map((id): ScoringCot => {
      const r = byId.get(id);
      if (!r) throw new UserError(`CoT ${id} does not exist or has no steps`);
      const png = r.imageId === null ? undefined : (imageBytes.get(r.imageId) as Buffer | undefined);
      return {
        question: r.question,
        image: png ? { key: `${dbKey}#image${r.imageId}`, png } : null,
        steps: r.steps,
        vectors: r.vectors,
      };
    });
    return scoreCots(model, cots);
  };
}
