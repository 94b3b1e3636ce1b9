import type { ConfigValue, RunDefaults, Method, RunSummary } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';
import { estimateRun, type Estimate } from './estimate';
import { BACKEND_CHOICES, type BackendChoice } from '../../../src-shared/training';

type Value = ConfigValue;

/**
 * The new-run form: a method, its reference defaults, the README's recipe on top (a reweighting
 * or baseline run starts from the newest uniform cold start), and the user's edits.
 */
export class TrainForm {
  defaults = $state<RunDefaults | null>(null);
  method = $state<Method>('domain');
  name = $state('');
  values = $state<Record<string, Value>>({});
  starting = $state(false);
  /** the tensor backend asked for; auto takes the fastest that passes its check here */
  backend = $state<BackendChoice>('auto');
  readonly backends = BACKEND_CHOICES;
  /** completed uniform runs a run can start from, newest first */
  coldStarts = $state<RunSummary[]>([]);
  /** the run the recipe starts from: the newest completed uniform cold start, when one exists */
  recipeStart = $state<number | null>(null);
  private runs: RunSummary[] = [];

  constructor(private readonly app: AppState) {}

  async load(): Promise<void> {
    const [d, runs, overview] = await Promise.all([
      this.app.attempt('Loading the run defaults', () => this.app.api.runDefaults()),
      this.app.attempt('Loading runs', () => this.app.api.listRuns()),
      this.app.attempt('Loading run roles', () => this.app.api.runsOverview()),
    ]);
    if (!d) return;
    this.defaults = d;
    this.runs = runs ?? [];
    this.coldStarts = this.runs.filter((r) => r.status === 'completed' && r.method === 'uniform').reverse();
    const roles = new Map((overview ?? []).map((o) => [o.runId, o.role]));
    const isColdStart = (r: RunSummary) => ['cold-start', 'uniform'].includes(roles.get(r.runId) ?? 'uniform');
    this.recipeStart = this.coldStarts.find(isColdStart)?.runId ?? null;
    this.reset();
  }

  /** The form's fields for the chosen method; the PRM choice only when the train pool's steps have vectors. */
  get fields() {
    return (this.defaults?.fields ?? []).filter(
      (f) =>
        (!f.methods || f.methods.includes(this.method)) &&
        (f.needs !== 'step-vectors' || this.hasVectors) &&
        // The features PRM reads vectors only: the image switch would mean nothing.
        !(f.key === 'model.image' && this.values['model.kind'] === 'features'),
    );
  }

  get hasVectors(): boolean {
    return (this.defaults?.stepVectors.pools.find((p) => p.pool === 'train')?.withVector ?? 0) > 0;
  }

  /** Where the features PRM's vectors are, e.g. "vectors on 100% of train, 100% of meta, 98% of test steps; length 768". */
  get vectorCoverage(): string | null {
    const v = this.defaults?.stepVectors;
    if (!v || !this.hasVectors) return null;
    const pools = v.pools.map((p) => `${Math.floor((100 * p.withVector) / Math.max(1, p.steps))}% of ${p.pool}`).join(', ');
    const dims = v.dims.length > 1 ? `lengths ${v.dims.join(', ')}: mixed models, embed again` : `length ${v.dims[0]}`;
    return `vectors on ${pools} steps; ${dims}`;
  }

  choose(method: Method): void {
    this.method = method;
    this.reset();
  }

  /** The reference defaults with the recipe's cold start (not for uniform: that trains the cold start). */
  get base(): Record<string, Value> {
    const d = { ...(this.defaults?.defaults[this.method] ?? {}) };
    if (this.method !== 'uniform' && this.recipeStart !== null) d['coldStart.fromRun'] = this.recipeStart;
    return d;
  }

  /** Back to the recipe for the chosen method. */
  reset(): void {
    if (!this.defaults) return;
    this.values = this.base;
  }

  /** Settings the user changed from the recipe. */
  get edits(): number {
    const base = this.base;
    return Object.entries(this.values).filter(([k, v]) => base[k] !== v).length;
  }

  /** Only what differs from the engine's defaults is sent, so the stored config shows the choices made. */
  get overrides(): Record<string, Value> {
    const base = this.defaults?.defaults[this.method] ?? {};
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(this.values)) if (base[k] !== v) out[k] = v;
    return out;
  }

  get upperBound(): boolean {
    return this.values.metaSource === 'test';
  }

  get estimate(): Estimate | null {
    return estimateRun(this.runs, this.method, Number(this.values.steps));
  }

  async start(): Promise<number | null> {
    this.starting = true;
    const run = await this.app.attempt('Starting the run', () =>
      this.app.api.startRun({ method: this.method, config: this.overrides, name: this.name.trim() || undefined, backend: this.backend }),
    );
    this.starting = false;
    return run?.runId ?? null;
  }
}
