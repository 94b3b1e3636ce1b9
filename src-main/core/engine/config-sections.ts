/**
 * The nested sections of the training config (model, lower, upper, coldStart, selection), each
 * leaf with its default, bounds and metadata (setting-meta.ts). config.ts assembles them.
 */
import { z } from 'zod';
import { AGGREGATIONS } from './aggregate';
import { setting } from './setting-meta';
import { INSTANCE_METHODS, META_TARGETS, REWEIGHTING_METHODS, SELECTION_METHODS } from '../../../src-shared/training';

const aggregation = z.enum(AGGREGATIONS as unknown as ['mean', 'logodds', 'min', 'max', 'prod', 'last']);
const REWEIGHTED = { methods: REWEIGHTING_METHODS };
const ADVANCED = { form: 'advanced' } as const;

export const ModelSchema = z.strictObject({
  kind: z.enum(['compact', 'features']).default('compact').meta(setting(
    'PRM',
    'compact: learns from the words and the image, from scratch; features: an MLP on the steps’ vectors (an embed job’s, or imported)',
    { needs: 'step-vectors' },
  )),
  image: z.boolean().default(true).meta(setting('Use images', 'false (off): the text-only ablation, without the image reader')),
  imageSize: z.number().int().min(8).max(256).default(48).meta(setting('Image size', 'images are resized to this many pixels a side', ADVANCED)),
  patchSize: z.number().int().min(2).max(64).default(8)
    .meta(setting('Patch size', 'the image reader’s patches are patchSize × patchSize pixels (must divide imageSize)', ADVANCED)),
  patchChannels: z.number().int().min(1).max(128).default(16)
    .meta(setting('Patch detectors', 'detectors per patch in the image reader (colours, shapes, strokes)', ADVANCED)),
  readerHeads: z.number().int().min(1).max(16).default(4)
    .meta(setting('Read heads', 'read heads per step: each looks at its own rows and columns of patches', ADVANCED)),
  embedDim: z.number().int().min(4).max(512).default(48).meta(setting('Embedding width', 'token embedding width', ADVANCED)),
  hidden: z.number().int().min(4).max(1024).default(64)
    .meta(setting('Hidden width', 'width of the text state, the check features and the fusion layer', ADVANCED)),
  maxSteps: z.number().int().min(2).max(64).default(8)
    .meta(setting('Steps per CoT', 'steps kept per CoT (longer CoTs keep their first maxSteps-1 steps and the final one)', ADVANCED)),
  maxStepTokens: z.number().int().min(2).max(256).default(16).meta(setting('Tokens per step', 'tokens kept per step', ADVANCED)),
  maxQuestionTokens: z.number().int().min(2).max(512).default(32).meta(setting('Question tokens', 'tokens kept per question', ADVANCED)),
  dropout: z.number().min(0).max(0.9).default(0).meta(setting('Dropout', 'dropout rate on the fusion layer while training (0: none)', ADVANCED)),
  vocabSize: z.number().int().min(8).max(5000).default(1000)
    .meta(setting('Vocabulary size', 'word vocabulary cap (incl. special tokens); the most frequent words win', ADVANCED)),
  bigramBuckets: z.number().int().min(0).max(8192).default(128)
    .meta(setting('Bigram buckets', 'hashed word-bigram buckets for local word order ("bar c", "row 2"); 0 disables them', ADVANCED)),
});
export type ModelConfig = z.infer<typeof ModelSchema>;

export const LowerSchema = z.strictObject({
  loss: z.enum(['mse', 'bce']).default('mse')
    .meta(setting('Step loss', 'per-step loss against the Monte Carlo label m: squared error (DreamPRM) or soft-target BCE')),
  lr: z.number().positive().max(1).default(0.01).meta(setting('Learning rate', 'PRM (AdamW) learning rate, cosine schedule')),
  weightDecay: z.number().min(0).max(1).default(0.01).meta(setting('Weight decay', 'PRM AdamW weight decay', ADVANCED)),
  clip: z.number().positive().default(1.0).meta(setting('Gradient clip', 'PRM gradient norm clipping', ADVANCED)),
});

export const UpperSchema = z.strictObject({
  metaLr: z.number().positive().max(10).default(0.01).meta(setting('Meta learning rate', 'learning rate of the AdamW upper optimizer (on the weights)', REWEIGHTED)),
  weightDecay: z.number().min(0).max(1).default(1e-3).meta(setting('Meta weight decay', 'upper AdamW weight decay', { ...REWEIGHTED, ...ADVANCED })),
  clip: z.number().positive().default(1.0).meta(setting('Meta gradient clip', 'upper gradient norm clipping', { ...REWEIGHTED, ...ADVANCED })),
  unroll: z.number().int().min(1).max(1000).default(5).meta(setting('Unroll steps', 'lower steps per upper step (U)', REWEIGHTED)),
  hypergradient: z.enum(['darts', 'exact']).default('darts')
    .meta(setting('Hypergradient', 'darts: finite differences (reference); exact: nested autodiff', REWEIGHTED)),
  dartsRadius: z.number().positive().max(1).default(0.01)
    .meta(setting('DARTS radius', 'finite-difference radius r: epsilon = r / ||grad of the meta loss||', { ...REWEIGHTED, ...ADVANCED })),
  aggregation: aggregation.default('logodds')
    .meta(setting('Meta aggregation', 'how a meta CoT’s step scores become one score before comparing with its label', REWEIGHTED)),
  /**
   * 'label': (A - y)^2 (DreamPRM); 'both': A over p if y = 1 else over 1 - p, (A - 1)^2 (1.5);
   * 'rank' (ours): softplus(z_k - z_j) over (correct j, incorrect k) pairs, z the batch-
   * standardised log-odds of A; pairs within a question when the meta batch has any (a meta
   * pool with several CoTs per question), else across the batch. It sees only the order of
   * the scores, as best-of-N does: the other two also reward a shift (a base-rate difference
   * between train labels and meta pool) and a shrinkage (labels pulled towards 0.5 make an
   * overconfident PRM look better)
   */
  target: z.enum(META_TARGETS).default('label').meta(setting(
    'Meta target',
    'label: (A − y)² (DreamPRM); both: DreamPRM-1.5; rank (ours): correct above incorrect meta CoTs, blind to shift and scale',
    REWEIGHTED,
  )),
  shiftInvariant: z.boolean().default(false).meta(setting(
    'Shift-invariant',
    '(ours) darts ignores the meta-gradient part that moves all scores alike, so weights follow label quality, not label level',
    { ...REWEIGHTED, ...ADVANCED },
  )),
  normalizeBatch: z.boolean().default(false).meta(setting(
    'Batch-normalised weights',
    '(ours, as Meta-Weight-Net does) instance net: each batch’s weights divided by their mean, so the upper level can move them only relative to each other, not all up together',
    { methods: ['instance-net'], ...ADVANCED },
  )),
  lo: z.number().default(-1).meta(setting('Weight lower bound', 'instance weights stay above (table: clamp; net: its sigmoid’s range)', { methods: INSTANCE_METHODS })),
  hi: z.number().default(3).meta(setting('Weight upper bound', 'instance weights stay below (table: clamp; net: its sigmoid’s range)', { methods: INSTANCE_METHODS })),
  tableActivation: z.enum(['clip', 'leaky-relu', 'identity']).default('clip')
    .meta(setting('Table activation', 'how a raw table entry becomes a weight: clip to [lo, hi], LeakyReLU, or identity', { methods: ['instance-table'] })),
  netHidden: z.number().int().min(1).max(1024).default(32)
    .meta(setting('Net hidden width', 'instance net MLP width (reference: 10..500)', { methods: ['instance-net'] })),
});

export const ColdStartSchema = z.strictObject({
  fromRun: z.number().int().positive().nullable().default(null).meta(setting(
    'Cold start from run',
    'start from a completed uniform run’s PRM and vocabulary (README recipe); for uniform: the vanilla PRM at equal compute',
  )),
  steps: z.number().int().min(0).default(0)
    .meta(setting('Cold-start steps', 'or train uniformly for the first S0 steps before the upper level starts', REWEIGHTED)),
});

export const SelectionSchema = z.strictObject({
  keep: z.number().gt(0).max(1).default(0.5)
    .meta(setting('Share kept', 'share of the training CoTs the selection keeps', { methods: SELECTION_METHODS })),
  clusters: z.number().int().min(1).max(256).default(8)
    .meta(setting('Clusters', 'clusters of similar CoTs, each keeping its best share', { methods: ['car'] })),
});
