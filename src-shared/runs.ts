/**
 * Training runs as plain data: what the trainer streams, the store keeps, the API sends and the
 * renderer draws; the new-run form's defaults and fields. Declared once, here (the store's row
 * types extend these with what stays in the main process).
 */
import type { Pool } from './data';
import type { BackendChoice, BackendSummary, Method } from './training';

/**
 * What a run is in a comparison, from its config: the vanilla PRM at equal compute (uniform,
 * continued from a cold start) is the baseline every reweighting gain is measured against;
 * s1 and CaR select data; a text-only run is an ablation; a meta set from the test pool (the
 * DreamPRM-1.5 sanity check) is an upper bound, never a result.
 */
export type RunRole =
  | 'uniform'
  | 'cold-start'
  | 'vanilla-equal-compute'
  | 'reweighting'
  | 'data-selection'
  | 'ablation-text-only'
  | 'upper-bound';

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/**
 * A field of the run configuration as the new-run form shows it: derived from the engine's
 * config schema and its per-setting metadata (src-main/core/engine/settings.ts), never by hand.
 */
export interface ConfigField {
  /** flat key of the run configuration, e.g. "upper.metaLr" */
  key: string;
  label: string;
  /** 'run': the id of a completed run, or null for none */
  kind: 'number' | 'integer' | 'choice' | 'boolean' | 'run';
  choices?: readonly string[];
  min?: number;
  max?: number;
  help: string;
  /** the methods that use this field (all when absent) */
  methods?: readonly Method[];
  /** 'step-vectors': shown only when the train pool's steps carry vectors (the features PRM) */
  needs?: 'step-vectors';
  /** shown folded, under "More settings": model sizes and optimizer details most runs keep */
  advanced?: boolean;
}

export type ConfigValue = number | string | boolean | null;

export interface RunDefaults {
  methods: readonly Method[];
  /** the reference defaults per method, as a flat key → value record */
  defaults: Record<Method, Record<string, ConfigValue>>;
  /** the fields worth showing in a form, in order */
  fields: readonly ConfigField[];
  backend: BackendSummary;
  /** how a CoT's step scores become one score, for evaluations */
  aggregations: readonly string[];
  /** the step vectors in the data: what the features PRM needs */
  stepVectors: StepVectorInfo;
}

/** How many steps of each pool carry a vector (from an embed job or imported), and their lengths; empty when none does. */
export interface StepVectorInfo {
  pools: { pool: Pool; steps: number; withVector: number }[];
  /** the vector lengths found (one, unless vectors of different models are mixed) */
  dims: number[];
}

export interface StartRunRequest {
  method: Method;
  /** overrides of the method's defaults, same flat keys as RunDefaults.defaults */
  config?: Record<string, ConfigValue>;
  name?: string;
  /** the tensor backend to ask for (default auto) */
  backend?: BackendChoice;
}

/** A run in a list: the store's reading of the runs table, and what the API sends as it is. */
export interface RunSummary {
  runId: number;
  name: string | null;
  method: Method;
  status: RunStatus;
  step: number;
  totalSteps: number;
  backend: string;
  /** what computed: GPU name, WebGPU adapter or CPU (null: not started yet, or an older run) */
  device: string | null;
  /** largest |backend − cpu| of the start-up parity check (null on cpu or before it ran) */
  parityMaxAbsDiff: number | null;
  /** why the backend asked for is not the one used */
  backendFallback: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** training wall time so far, summed over resumes */
  seconds: number;
  error: string | null;
  trainLoss: number | null;
  metaLoss: number | null;
}

/** CoTs of one pool and domain that a run was started with (recorded when it started). */
export interface RunInput {
  pool: Pool;
  domain: string;
  cots: number;
  /** steps with a human label among them */
  humanSteps: number;
}

/** One run as the runs table holds it: the part of a run's detail the store reads itself. */
export interface RunState extends RunSummary {
  config: Record<string, unknown>;
  /** domain → latest weight (1 for every domain of a uniform run) */
  domainWeights: Record<string, number>;
  cancelRequested: boolean;
  lastCheckpointStep: number | null;
}

/** One run as the API sends it: its state and what the API derives from other tables. */
export interface RunDetail extends RunState {
  /** what the run is in a comparison (baseline, ablation, upper bound, …) */
  role: RunRole;
  /** the run whose PRM it started from, when any */
  coldStartFrom: number | null;
  /** empty for runs started before inputs were recorded, or outside the app */
  inputs: RunInput[];
}

/** One step's training figures, as the trainer writes them and the run page draws them. */
export interface MetricPoint {
  step: number;
  trainLoss: number | null;
  weightedLoss: number | null;
  metaLoss: number | null;
  lr: number | null;
  /** training steps per second around this step */
  throughput: number | null;
}

export interface DomainWeightPoint {
  step: number;
  weights: Record<string, number>;
}

export interface WeightHistogram {
  /** the snapshot's training step, null when the run has none */
  step: number | null;
  instances: number;
  /** equal-width bins from min to max */
  edges: number[];
  counts: number[];
}

/** Live progress of a run, as the worker streams it to its caller and the API pushes it. */
export interface RunProgress {
  runId: number;
  step: number;
  totalSteps: number;
  trainLoss: number | null;
  weightedLoss: number | null;
  metaLoss: number | null;
  /** domain → weight (instance methods: mean weight of the domain's instances) */
  domainWeights: Record<string, number> | null;
  stepsPerSecond: number | null;
  etaSeconds: number | null;
}
