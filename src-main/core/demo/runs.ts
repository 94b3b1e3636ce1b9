import type { TrainConfigInput } from '../engine/config';

/**
 * The PRMs the demo trains, in report order. `uniform` is the cold start every other run but
 * the ablation starts from; every run after it trains the same number of steps on the same
 * schedule, so each gain is measured at equal compute against `uniform-continued`, the vanilla
 * PRM trained on for those steps with every weight 1.
 */
export const DEMO_RUNS = [
  'uniform',
  'text-only',
  'uniform-continued',
  'domain',
  'instance-table',
  'instance-net',
  's1',
  'car',
  'sanity-check',
] as const;
export type DemoRunKey = (typeof DEMO_RUNS)[number];

/** The reweighting methods, whose gains are measured against uniform-continued. */
export const REWEIGHTED_RUNS = ['domain', 'instance-table', 'instance-net'] as const satisfies readonly DemoRunKey[];

/** What each run is, for tables and the app. */
export const DEMO_RUN_LABELS: Record<DemoRunKey, string> = {
  uniform: 'uniform (cold start)',
  'text-only': 'text-only ablation',
  'uniform-continued': 'uniform, continued (vanilla PRM at equal compute)',
  domain: 'domain table (DreamPRM)',
  'instance-table': 'instance table (DreamPRM-1.5)',
  'instance-net': 'instance net (DreamPRM-1.5)',
  s1: 's1-PRM (data selection baseline)',
  car: 'CaR-PRM (data selection baseline)',
  'sanity-check': 'sanity check: meta set from the test pool (upper bound, not a result)',
};

export interface DemoSteps {
  /** steps of the uniform cold start */
  coldStart: number;
  /** steps of every run that continues from it (the text-only ablation trains both) */
  continued: number;
}

/** The training config of one demo run; `coldStartRun` is the uniform run's id once it exists. */
export function demoConfig(key: DemoRunKey, seed: number, steps: DemoSteps, coldStartRun: number | null): TrainConfigInput {
  const from = { seed, steps: steps.continued, coldStart: { fromRun: coldStartRun } };
  switch (key) {
    case 'uniform':
      return { method: 'uniform', seed, steps: steps.coldStart };
    case 'text-only':
      return { method: 'uniform', seed, steps: steps.coldStart + steps.continued, model: { image: false } };
    case 'uniform-continued':
      return { method: 'uniform', ...from };
    case 'sanity-check':
      return { method: 'domain', ...from, metaSource: 'test' };
    default:
      return { method: key, ...from };
  }
}

/** Runs that start from the uniform cold start (all but it and the ablation). */
export const continuesColdStart = (key: DemoRunKey): boolean => key !== 'uniform' && key !== 'text-only';
