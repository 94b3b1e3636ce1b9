import type { LaunchJobRequest, ModelServerSettings, PlannedJob, PolicyJobInfo, JobKind } from '../../../src-main/core/api/types';
import { hostOf } from '../../../src-main/core/url-host';
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

function required(value: string, field: string): string {
  if (!value.trim()) throw new Error(`${field} is needed: the name the server lists under /models`);
  return value.trim();
}

/** An optional base URL: empty means the server's above. */
const serverOf = (baseUrl: string) => (baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {});
const limitOf = (v: FieldValue) => (blank(v) ? undefined : positiveInt(v, 'Limit'));

/** Step vectors from an embeddings endpoint, for the features PRM. */
export interface EmbedForm {
  baseUrl: string;
  model: string;
  textOnly: boolean;
  limit: FieldValue;
}

/** An external PRM scoring the test candidates. */
export interface ScoreForm {
  baseUrl: string;
  model: string;
  mode: 'generative' | 'reward';
  textOnly: boolean;
  label: string;
}

/** What a plan will send, in a sentence shown while it starts. */
function planSentence(kind: JobKind, p: PlannedJob): string {
  const what = { generate: 'questions', label: 'CoTs', embed: 'steps', score: 'test candidates' }[kind];
  const tokens = p.estimatedTokens === undefined ? '' : `, about ${p.estimatedTokens.toLocaleString('en-US')} prompt tokens`;
  const cost = p.estimatedCost == null ? '' : ` (about ${p.estimatedCost.toFixed(4)})`;
  return `Job #${p.job.jobId}: ${p.items.toLocaleString('en-US')} ${what} in ${p.requests.toLocaleString('en-US')} requests${tokens}${cost}.`;
}

type LaunchMethod = 'startJob' | 'resumeJob';

/** A job whose server was not named in this session: nothing is sent until the user confirms its host. */
export interface UntrustedServer {
  jobId: number;
  method: LaunchMethod;
  baseUrl: string;
  host: string;
}

/** The model server's settings and its jobs (generate, label, embed, score); kept current by job-progress events. */
export class JobsState {
  settings = $state<ModelServerSettings | null>(null);
  form = $state<ServerForm>({ baseUrl: '', model: '', pricePrompt: '', priceCompletion: '', concurrency: 4, apiKey: '' });
  jobs = $state<PolicyJobInfo[]>([]);
  loaded = $state(false);
  saving = $state(false);
  busy = $state<JobKind | null>(null);
  /** the last error of this page, shown beside the form that caused it */
  error = $state<string | null>(null);
  generateN = $state<FieldValue>(4);
  generateLimit = $state<FieldValue>(null);
  labelK = $state<FieldValue>(8);
  labelLimit = $state<FieldValue>(null);
  embed = $state<EmbedForm>({ baseUrl: '', model: '', textOnly: false, limit: null });
  score = $state<ScoreForm>({ baseUrl: '', model: '', mode: 'generative', textOnly: false, label: '' });
  /** the newest plan's volume and estimated cost */
  planned = $state<string | null>(null);
  /** set while the page asks whether to send a job's requests to a server read from the database */
  untrusted = $state<UntrustedServer | null>(null);

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
  async planAndStart(kind: JobKind): Promise<void> {
    this.busy = kind;
    this.error = null;
    try {
      if (!(await this.save(false))) return;
      const plan = await this.plan(kind);
      this.planned = planSentence(kind, plan);
      this.jobs = [plan.job, ...this.jobs.filter((j) => j.jobId !== plan.job.jobId)];
      await this.launch(plan.job.jobId, 'startJob');
    } catch (e) {
      this.error = (e as Error).message;
    } finally {
      this.busy = null;
    }
  }

  private plan(kind: JobKind): Promise<PlannedJob> {
    const api = this.app.api;
    switch (kind) {
      case 'generate':
        return api.planGenerate({ n: positiveInt(this.generateN, 'N'), limit: limitOf(this.generateLimit) });
      case 'label':
        return api.planLabel({ k: positiveInt(this.labelK, 'K'), limit: limitOf(this.labelLimit) });
      case 'embed': {
        const f = this.embed;
        return api.planEmbed({ ...serverOf(f.baseUrl), model: required(f.model, 'Embedding model'), textOnly: f.textOnly, limit: limitOf(f.limit) });
      }
      case 'score': {
        const f = this.score;
        const label = f.label.trim() ? { label: f.label.trim() } : {};
        return api.planScore({ ...serverOf(f.baseUrl), model: required(f.model, 'PRM model'), mode: f.mode, textOnly: f.textOnly, ...label });
      }
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

  /** The user confirmed the host: the same call again, with the job's URL as consent. */
  async trustAndLaunch(): Promise<void> {
    const u = this.untrusted;
    if (!u) return;
    this.untrusted = null;
    this.error = null;
    try {
      await this.launch(u.jobId, u.method, u.baseUrl);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  dismissUntrusted(): void {
    this.untrusted = null;
  }

  private async launch(jobId: number, method: LaunchMethod, trustBaseUrl?: string): Promise<void> {
    const before = this.eventsSeen.get(jobId) ?? 0;
    const req: LaunchJobRequest = trustBaseUrl ? { jobId, trustBaseUrl } : { jobId };
    let info: PolicyJobInfo;
    try {
      info = method === 'startJob' ? await this.app.api.startJob(req) : await this.app.api.resumeJob(req);
    } catch (e) {
      // The server refused before sending anything: ask, naming the host.
      const baseUrl = this.jobs.find((j) => j.jobId === jobId)?.baseUrl;
      if ((e as Error).name !== 'UntrustedServerError' || trustBaseUrl || !baseUrl) throw e;
      this.untrusted = { jobId, method, baseUrl, host: hostOf(baseUrl) };
      return;
    }
    // A short job's events can arrive before this reply: they are newer.
    if ((this.eventsSeen.get(jobId) ?? 0) === before) this.put(info);
  }

  private put(info: PolicyJobInfo): void {
    const i = this.jobs.findIndex((j) => j.jobId === info.jobId);
    if (i < 0) this.jobs = [info, ...this.jobs];
    else this.jobs[i] = info;
  }
}
