import type { ConfigValue, RunDefaults, RunMethod, RunSummary } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

type Value = ConfigValue;

/** The new-run form: a method, its reference defaults, and the user's edits on top. */
export class TrainForm {
  defaults = $state<RunDefaults | null>(null);
  method = $state<RunMethod>('domain');
  name = $state('');
  values = $state<Record<string, Value>>({});
  starting = $state(false);
  /** completed runs a reweighting run can start from (the uniform cold start) */
  coldStarts = $state<RunSummary[]>([]);

  constructor(private readonly app: AppState) {}

  async load(): Promise<void> {
    const [d, runs] = await Promise.all([
      this.app.attempt('Loading the run defaults', () => this.app.api.runDefaults()),
      this.app.attempt('Loading runs', () => this.app.api.listRuns()),
    ]);
    if (!d) return;
    this.defaults = d;
    this.coldStarts = (runs ?? []).filter((r) => r.status === 'completed' && r.method === 'uniform').reverse();
    this.reset();
  }

  /** The form's fields for the chosen method. */
  get fields() {
    return (this.defaults?.fields ?? []).filter((f) => !f.methods || f.methods.includes(this.method));
  }

  choose(method: RunMethod): void {
    this.method = method;
    this.reset();
  }

  /** Back to the reference defaults of the chosen method. */
  reset(): void {
    if (!this.defaults) return;
    this.values = { ...this.defaults.defaults[this.method] };
  }

  /** Only what differs from the defaults is sent, so the stored config shows the user's choices. */
  get overrides(): Record<string, Value> {
    const base = this.defaults?.defaults[this.method] ?? {};
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(this.values)) if (base[k] !== v) out[k] = v;
    return out;
  }

  async start(): Promise<number | null> {
    this.starting = true;
    const run = await this.app.attempt('Starting the run', () =>
      this.app.api.startRun({ method: this.method, config: this.overrides, name: this.name.trim() || undefined }),
    );
    this.starting = false;
    return run?.runId ?? null;
  }
}
