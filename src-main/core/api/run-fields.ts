import type { ConfigField, Method } from './types';

const REWEIGHTED: readonly Method[] = ['domain', 'instance-table', 'instance-net'];
const INSTANCE: readonly Method[] = ['instance-table', 'instance-net'];
const SELECTING: readonly Method[] = ['s1', 'car'];

/**
 * The settings the new-run form shows, in order, with a line of help each. Keys are the flat
 * keys of the engine's config; values and their defaults come from the engine's schema.
 */
export const RUN_CONFIG_FIELDS: readonly ConfigField[] = [
  { key: 'steps', label: 'Training steps', kind: 'integer', min: 1, help: 'lower-level optimizer steps' },
  { key: 'batchSize', label: 'Batch size', kind: 'integer', min: 1, max: 4096, help: 'training CoTs per step' },
  { key: 'seed', label: 'Seed', kind: 'integer', min: 0, help: 'same seed and config give the same run on one backend' },
  { key: 'lower.lr', label: 'Learning rate', kind: 'number', min: 0, help: 'PRM (AdamW) learning rate, cosine schedule' },
  { key: 'lower.loss', label: 'Step loss', kind: 'choice', choices: ['mse', 'bce'], help: 'against the Monte Carlo label m' },
  { key: 'warmupFraction', label: 'Warm-up fraction', kind: 'number', min: 0, max: 1, help: 'linear warm-up before the cosine decay' },
  {
    key: 'model.kind',
    label: 'PRM',
    kind: 'choice',
    choices: ['compact', 'features'],
    help: 'compact: learns from the words and the image; features: an MLP on the steps’ vectors (an embed job’s, or imported)',
    needs: 'step-vectors',
  },
  {
    key: 'model.image',
    label: 'Use images',
    kind: 'boolean',
    help: 'off: the text-only ablation, without the image encoder',
  },
  { key: 'metaBatchSize', label: 'Meta batch size', kind: 'integer', min: 1, max: 4096, help: 'meta CoTs per upper step', methods: REWEIGHTED },
  { key: 'upper.metaLr', label: 'Meta learning rate', kind: 'number', min: 0, help: 'AdamW on the weights', methods: REWEIGHTED },
  { key: 'upper.unroll', label: 'Unroll steps', kind: 'integer', min: 1, help: 'lower steps per upper step (U)', methods: REWEIGHTED },
  {
    key: 'upper.hypergradient',
    label: 'Hypergradient',
    kind: 'choice',
    choices: ['darts', 'exact'],
    help: 'darts: finite differences (reference); exact: nested autodiff',
    methods: REWEIGHTED,
  },
  {
    key: 'upper.aggregation',
    label: 'Meta aggregation',
    kind: 'choice',
    choices: ['logodds', 'mean', 'min', 'max', 'prod', 'last'],
    help: 'how a meta CoT’s step scores become one score',
    methods: REWEIGHTED,
  },
  {
    key: 'upper.target',
    label: 'Meta target',
    kind: 'choice',
    choices: ['label', 'both'],
    help: 'label: (A − y)² (DreamPRM); both: DreamPRM-1.5',
    methods: REWEIGHTED,
  },
  { key: 'upper.lo', label: 'Weight lower bound', kind: 'number', help: 'instance weights stay above', methods: INSTANCE },
  { key: 'upper.hi', label: 'Weight upper bound', kind: 'number', help: 'instance weights stay below', methods: INSTANCE },
  {
    key: 'upper.tableActivation',
    label: 'Table activation',
    kind: 'choice',
    choices: ['clip', 'leaky-relu', 'identity'],
    help: 'how a raw table entry becomes a weight',
    methods: ['instance-table'],
  },
  { key: 'upper.netHidden', label: 'Net hidden width', kind: 'integer', min: 1, max: 1024, help: 'instance net MLP width', methods: ['instance-net'] },
  {
    key: 'metaSource',
    label: 'Meta set',
    kind: 'choice',
    choices: ['meta', 'test'],
    help: 'meta: the meta pool. test: the DreamPRM-1.5 sanity check, weights learnt on the test pool itself: an upper bound, never a result',
    methods: REWEIGHTED,
  },
  { key: 'selection.keep', label: 'Share kept', kind: 'number', min: 0, max: 1, help: 'share of the training CoTs the selection keeps', methods: SELECTING },
  { key: 'selection.clusters', label: 'Clusters', kind: 'integer', min: 1, max: 256, help: 'clusters of similar CoTs, each keeping its best share', methods: ['car'] },
  {
    key: 'coldStart.fromRun',
    label: 'Cold start from run',
    kind: 'run',
    help: 'start from a completed uniform run’s PRM (README recipe); for uniform: the vanilla PRM at equal compute',
  },
  {
    key: 'coldStart.steps',
    label: 'Cold-start steps',
    kind: 'integer',
    min: 0,
    help: 'or train uniformly for this many steps first',
    methods: REWEIGHTED,
  },
];
