import type { Db } from '../store/db';
import { UserError } from '../errors';
import { learnsWeights, ModelSchema, type ModelConfig, type TrainConfig } from './config';
import { encodeCots, type CotTable } from './cot-table';
import { corpusTexts, readPool, type RawCot } from './dataset';
import { imageRowsOf, loadImageTable } from './image-table';
import { disposeTable, uploadTable } from './batch';
import { disposeImages, uploadImages } from './image-features';
import type { TrainingTensors } from './engine';
import type { PrmSpec } from './prm';
import { Vocabulary, type VocabularyJson } from './tokenizer';

/** What a trained model needs besides its weights; stored with the run (runs.model_spec). */
export interface ModelSpecJson {
  model: ModelConfig;
  vocab: VocabularyJson;
  vectorDim: number;
  /** training domains, in the index order of the run's instances */
  domains: string[];
}

export interface TrainingData {
  spec: ModelSpecJson;
  prmSpec: PrmSpec;
  train: CotTable;
  meta: CotTable;
  tensors: TrainingTensors;
}

/**
 * A stored run's model settings, read with today's defaults for settings added since. A run
 * whose PRM an earlier version built differently (settings that no longer exist) keeps its
 * records, but its weights fit no model of this version.
 */
export function storedModelConfig(model: unknown, runId: number): ModelConfig {
  const r = ModelSchema.safeParse(model);
  if (r.success) return r.data;
  const what = r.error.issues.map((i) => `${['model', ...i.path].join('.')}: ${i.message}`).join('; ');
  throw new UserError(
    `run ${runId}'s PRM was built by an earlier version of DreamPRM Studio (${what}); its metrics and evaluations ` +
      'stay readable, but it cannot be scored again or continued: train a new run',
  );
}

export function prmSpecOf(spec: ModelSpecJson): PrmSpec {
  return { model: spec.model, vocabSize: spec.vocab.tokens.length, vectorDim: spec.vectorDim };
}

/**
 * Reads the train pool (CoTs with step labels, excluded domains left out) and the meta pool
 * (CoTs with a correctness label), builds or reuses the vocabulary, decodes images once and
 * uploads everything to tensors once.
 */
export async function loadTrainingData(
  db: Db,
  config: TrainConfig,
  opts: { dbKey: string; existingSpec?: ModelSpecJson | null; log?: (m: string) => void },
): Promise<TrainingData> {
  const train = readPool(db, 'train', 'step-labels');
  if (!train.length) {
    throw new UserError(
      'no training data: the train pool has no CoTs with step labels (import some with `dreamprm import FILE --pool train`, ' +
        'or load the built-in sample with `dreamprm sample --out DIR --import`; excluded domains are left out)',
    );
  }
  const meta = readPool(db, config.metaSource, 'correctness');
  if (!meta.length && learnsWeights(config.method)) {
    throw new UserError(
      `the ${config.method} method learns weights on the ${config.metaSource} pool, but it has no CoTs with a correctness label ` +
        `(import some with \`dreamprm import FILE --pool ${config.metaSource}\`), or train with --method uniform`,
    );
  }
  const domains = [...new Set(train.map((c) => c.domain))].sort();
  const spec: ModelSpecJson = opts.existingSpec ?? {
    model: config.model,
    vocab: Vocabulary.build(corpusTexts(train, meta), config.model.vocabSize).toJson(),
    vectorDim: 0,
    domains,
  };
  const vocab = Vocabulary.fromJson(spec.vocab);
  const features = spec.model.kind === 'features';
  const useImages = spec.model.kind === 'compact' && spec.model.image;
  const rows = useImages ? imageRowsOf(train, meta) : new Map<number, number>();
  // Instances keep the domain order of the spec; a resumed run sees the same indices.
  const domainList = spec.domains.length ? spec.domains : domains;
  const unknown = domains.filter((d) => !domainList.includes(d));
  if (unknown.length) {
    throw new UserError(
      `the train pool now has domains this run did not start with (${unknown.join(', ')}); start a new run instead`,
    );
  }
  const trainT = encodeCots(train, vocab, spec.model, rows, domainList, { vectors: features, label: 'train pool' });
  const metaT = encodeCots(meta.length ? meta : train.slice(0, 1), vocab, spec.model, rows, domainList, {
    vectors: features,
    label: 'meta pool',
  });
  if (features) {
    if (spec.vectorDim && spec.vectorDim !== trainT.vectorDim) {
      throw new UserError(`step vectors have length ${trainT.vectorDim}, but this model was built for ${spec.vectorDim}`);
    }
    spec.vectorDim = trainT.vectorDim;
  }
  spec.domains = domainList;
  opts.log?.(
    `data: ${trainT.n} training instances in ${domainList.length} domains, ${meta.length} meta CoTs, ` +
      `${rows.size} images, vocabulary ${vocab.size}`,
  );
  const images = useImages ? await loadImageTable(db, rows, spec.model.imageSize, opts.dbKey) : null;
  const tensors: TrainingTensors = {
    train: uploadTable(trainT),
    meta: uploadTable(metaT),
    images: images ? uploadImages(images, spec.model.patchSize) : null,
    patch: spec.model.patchSize,
  };
  return { spec, prmSpec: prmSpecOf(spec), train: trainT, meta: metaT, tensors };
}

export function disposeTrainingData(d: TrainingData): void {
  disposeTable(d.tensors.train);
  disposeTable(d.tensors.meta);
  disposeImages(d.tensors.images);
}

/** For tests and tools: CoTs already in memory instead of a database. */
export function tensorsFromRaw(
  train: RawCot[],
  meta: RawCot[],
  model: ModelConfig,
  imagePixels?: { rows: Map<number, number>; table: { pixels: Float32Array; count: number; size: number } },
): TrainingData {
  const domains = [...new Set(train.map((c) => c.domain))].sort();
  const vocab = Vocabulary.build(corpusTexts(train, meta), model.vocabSize);
  const rows = imagePixels?.rows ?? new Map<number, number>();
  const features = model.kind === 'features';
  const trainT = encodeCots(train, vocab, model, rows, domains, { vectors: features });
  const metaT = encodeCots(meta, vocab, model, rows, domains, { vectors: features });
  const spec: ModelSpecJson = { model, vocab: vocab.toJson(), vectorDim: trainT.vectorDim, domains };
  const useImages = model.kind === 'compact' && model.image;
  const blank = { pixels: new Float32Array(model.imageSize * model.imageSize * 3), count: 1, size: model.imageSize };
  return {
    spec,
    prmSpec: prmSpecOf(spec),
    train: trainT,
    meta: metaT,
    tensors: {
      train: uploadTable(trainT),
      meta: uploadTable(metaT),
      images: useImages ? uploadImages(imagePixels?.table ?? blank, model.patchSize) : null,
      patch: model.patchSize,
    },
  };
}

