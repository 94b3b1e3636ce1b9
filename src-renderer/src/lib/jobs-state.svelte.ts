import type { ModelServerSettings, PolicyJobInfo, PolicyJobKind } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

/** The settings form as typed: strings, so an empty field means "not set". */
export interface ServerForm {
  baseUrl: string;
  model: string;
  pricePrompt: string;
  priceCompletion: string;
  concurrency: FieldValue;
  apiKey: string;
}

const text = (n: number | null): string => (n === null ? '' : String(n));

/** Parses an optional non-negative number field; throws a sentence naming the field. */
function optionalNumber(value: string, field: string): number | null {
  const v = value.trim();
  if (!v) return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${field} must be a non-negative number, got "${v}"`);
  return n;
}

/** Number inputs bind numbers (null when empty); text ones strings. */
type FieldValue = string | number | null | undefined;
const blank = (v: FieldValue): boolean => v === null || v === undefined || String(v).trim() === '';

function positiveInt(value: FieldValue, field: string): number {
  const n = blank(value) ? NaN : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${field} must be a whole number of at least 1, got "${value ?? ''}"`);
  return n;
}

/** The model server's settings and the generate/label jobs; kept current by job-progress events. */
export class JobsState {
  settings = $state<ModelServerSettings | null>(null);
  form = $state<ServerForm>({ baseUrl: '', model: '', pricePrompt: '', priceCompletion: '', concurrency: 4, apiKey: '' });
  jobs = $state<PolicyJobInfo[]>([]);
  loaded = $state(false);
  saving = $state(false);
  busy = $state<PolicyJobKind | null>(null);
  /** the last error of this page, shown beside the form that caused it */
  error = $state<string | null>(null);
  generateN = $state<FieldValue>(4);
  generateLimit = $state<FieldValue>(null);
  labelK = $state<FieldValue>(8);
  labelLimit = $state<FieldValue>(null);

  /** job-progress events seen per job: a reply to start must not undo a newer event */
  private eventsSeen = new Map<number, number>();

  constructor(private readonly app: AppState) {}

  readonly running = $derived(this.jobs.some((j) => j.runningHere));

  start(): () => void {
    void this.load();
    const off = this.app.onEvent((e) => {
      if (e.type !== 'job-progress') return;
      const { type: _type, ...info } = e;
      this.eventsSeen.set(info.jobId, (this.eventsSeen.get(info.jobId) ?? 0) + 1);
      const i = this.jobs.findIndex((j) => j.jobId === info.jobId);
      if (i < 0) void this.refresh();
      else this.jobs[i] = info;
    });
    // Jobs the CLI runs in another process send no events here.
    const poll = setInterval(() => {
      if (this.jobs.some((j) => j.status === 'running' && !j.runningHere)) void this.refresh();
    }, 3000);
    return () => {
      off();
      clearInterval(poll);
    };
  }

  async load(): Promise<void> {
    const s = await this.app.attempt('Loading the model-server settings', () => this.app.api.getModelServer());
    if (s) this.useSettings(s);
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const jobs = await this.app.attempt('Loading jobs', () => this.app.api.listJobs());
    if (jobs) this.jobs = jobs;
    this.loaded = true;
  }

  private useSettings(s: ModelServerSettings): void {
    this.settings = s;
    this.form = {
      baseUrl: s.baseUrl ?? '',
      model: s.model ?? '',
      pricePrompt: text(s.pricePromptPer1k),
      priceCompletion: text(s.priceCompletionPer1k),
      concurrency: s.concurrency,
      apiKey: '',
    };
  }

  async save(announce = true): Promise<boolean> {
    this.saving = true;
    this.error = null;
    try {
      const f = this.form;
      const s = await this.app.api.setModelServer({
        baseUrl: f.baseUrl.trim() || null,
        model: f.model.trim() || null,
        pricePromptPer1k: optionalNumber(f.pricePrompt, 'Price per 1k prompt tokens'),
        priceCompletionPer1k: optionalNumber(f.priceCompletion, 'Price per 1k completion tokens'),
        concurrency: positiveInt(f.concurrency, 'Concurrency'),
        // An empty field keeps the key already given; "Forget key" clears it.
        ...(f.apiKey.trim() ? { apiKey: f.apiKey.trim() } : {}),
      });
      this.useSettings(s);
      if (announce) this.app.notify('info', 'Model-server settings saved');
      return true;
    } catch (e) {
      this.error = (e as Error).message;
      return false;
    } finally {
      this.saving = false;
    }
  }

  async forgetKey(): Promise<void> {
    const s = await this.app.attempt('Forgetting the API key', () => this.app.api.setModelServer({ apiKey: null }));
    if (s) this.settings = s;
  }

  /** Saves the settings, plans the job and starts it. */
  async planAndStart(kind: PolicyJobKind): Promise<void> {
    this.busy = kind;
    this.error = null;
    try {
      if (!(await this.save(false))) return;
      const limitText = kind === 'generate' ? this.generateLimit : this.labelLimit;
      const limit = blank(limitText) ? undefined : positiveInt(limitText, 'Limit');
      const plan =
        kind === 'generate'
          ? await this.app.api.planGenerate({ n: positiveInt(this.generateN, 'N'), limit })
          : await this.app.api.planLabel({ k: positiveInt(this.labelK, 'K'), limit });
      this.jobs = [plan.job, ...this.jobs.filter((j) => j.jobId !== plan.job.jobId)];
      await this.launch(plan.job.jobId, 'startJob');
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.busy = null;
    }
  }

  async resume(jobId: number): Promise<void> {
    this.error = null;
    try {
      await this.launch(jobId, 'resumeJob');
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  async cancel(jobId: number): Promise<void> {
    const info = await this.app.attempt(`Cancelling job ${jobId}`, () => this.app.api.cancelJob({ jobId }));
    if (info) this.put(info);
  }

  private async launch(jobId: number, method: 'startJob' | 'resumeJob'): Promise<void> {
    const before = this.eventsSeen.get(jobId) ?? 0;
    const info = method === 'startJob' ? await this.app.api.startJob({ jobId }) : await this.app.api.resumeJob({ jobId });
    // A short job's events can arrive before this reply: they are newer.
    if ((this.eventsSeen.get(jobId) ?? 0) === before) this.put(info);
  }

  private put(info: PolicyJobInfo): void {
    const i = this.jobs.findIndex((j) => j.jobId === info.jobId);
    if (i < 0) this.jobs = [info, ...this.jobs];
    else this.jobs[i] = info;
  }
}
