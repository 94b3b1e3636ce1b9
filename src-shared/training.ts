/**
 * Names of training choices: a leaf module (no imports), shared by the engine, the API and
 * the renderer, so that each list is written once.
 */
export const METHODS = ['uniform', 'domain', 'instance-table', 'instance-net', 's1', 'car'] as const;
export type Method = (typeof METHODS)[number];

/** Methods that learn weights on the meta set (the others train uniformly, on all data or on a selection). */
export const REWEIGHTING_METHODS = ['domain', 'instance-table', 'instance-net'] as const satisfies readonly Method[];
export const learnsWeights = (m: Method): boolean => (REWEIGHTING_METHODS as readonly Method[]).includes(m);
/** Reweighting methods with a weight per training CoT (DreamPRM-1.5), not per domain. */
export const INSTANCE_METHODS = ['instance-table', 'instance-net'] as const satisfies readonly Method[];
/** The DreamPRM paper's data-selection baselines: select by a heuristic, then train uniformly. */
export const SELECTION_METHODS = ['s1', 'car'] as const satisfies readonly Method[];
export const selectsData = (m: Method): boolean => (SELECTION_METHODS as readonly Method[]).includes(m);

/**
 * What a meta CoT's aggregated score is compared with (ALGORITHM.md "Upper level"): 'label'
 * (DreamPRM), 'both' (DreamPRM-1.5), 'rank' (ours: order within a question).
 */
export const META_TARGETS = ['label', 'both', 'rank'] as const;
export type MetaTarget = (typeof META_TARGETS)[number];

/**
 * Tensor backends a run can ask for; 'auto' takes the fastest that really works here, in this
 * order: tfjs-node-gpu on a CUDA GPU, webgpu on a hardware adapter, tfjs-node, wasm, cpu.
 */
export const BACKEND_CHOICES = ['auto', 'tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * The backend training uses here as the app reports it: the backend's name, its device and a
 * note on a faster one. Not the engine's BackendInfo (engine/backend/select.ts), which is the
 * live backend's full state inside the training process.
 */
export interface BackendSummary {
  name: string;
  /** what the latest run computed on (GPU name, WebGPU adapter, CPU), when one has run */
  device?: string | null;
  /** a sentence on a faster backend that is missing, or null when the best one is in use */
  note: string | null;
}
