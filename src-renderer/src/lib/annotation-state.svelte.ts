import type {
  AnnotateRequest,
  AnnotationResult,
  AnnotationStats,
  PromoteResult,
  Settings,
  UndoResult,
} from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

/** The annotator's name, label counts, and the label actions every page shares. */
export class AnnotationState {
  settings = $state<Settings | null>(null);
  stats = $state<AnnotationStats | null>(null);
  busy = $state(false);
  /** a label waits for the annotator's name (the first label of this database) */
  asking = $state(false);
  private named: ((ok: boolean) => void) | null = null;

  constructor(private readonly app: AppState) {}

  async load(): Promise<void> {
    const [settings, stats] = await Promise.all([
      this.app.attempt('Loading settings', () => this.app.api.getSettings()),
      this.app.attempt('Loading annotations', () => this.app.api.annotationStats({ recent: 20 })),
    ]);
    if (settings) this.settings = settings;
    if (stats) this.stats = stats;
  }

  get annotator(): string | null {
    return this.settings?.annotator ?? null;
  }

  async setName(name: string): Promise<boolean> {
    const s = await this.app.attempt('Saving your name', () => this.app.api.setSettings({ annotator: name }));
    if (s) this.settings = s;
    if (s && this.asking) this.answer(true);
    return s !== undefined;
  }

  /** The name prompt was dismissed: the waiting label is not given. */
  cancelName(): void {
    if (this.asking) this.answer(false);
  }

  private answer(ok: boolean): void {
    this.asking = false;
    const named = this.named;
    this.named = null;
    named?.(ok);
  }

  /** Asks for the annotator's name (inline, in the annotator bar); true once it is saved. */
  private askName(): Promise<boolean> {
    this.answer(false);
    this.asking = true;
    return new Promise((resolve) => (this.named = resolve));
  }

  private async refreshStats(): Promise<void> {
    const stats = await this.app.attempt('Loading annotations', () => this.app.api.annotationStats({ recent: 20 }));
    if (stats) this.stats = stats;
  }

  /** Gives a label; the first one asks who is labelling and then goes through. */
  async annotate(req: AnnotateRequest): Promise<AnnotationResult | undefined> {
    if (this.settings && !this.annotator && !(await this.askName())) return undefined;
    const r = await this.app.attempt('Labelling', () => this.app.api.annotate(req));
    if (r) void this.refreshStats();
    return r;
  }

  async undo(): Promise<UndoResult | undefined> {
    const r = await this.app.attempt('Undoing', () => this.app.api.undoAnnotation());
    if (r) {
      if (!r.undone) this.app.notify('info', 'Nothing to undo.');
      void this.refreshStats();
    }
    return r;
  }

  async promote(): Promise<PromoteResult | undefined> {
    this.busy = true;
    const r = await this.app.attempt('Promoting to the meta pool', () => this.app.api.promoteToMeta());
    this.busy = false;
    if (!r) return undefined;
    const parts = [`${r.promoted} CoT(s) promoted, ${r.updated} updated; the meta domain "${r.domain}" has ${r.domainCots}.`];
    if (r.fromTestPool) parts.push(`${r.fromTestPool} come from the test pool: those questions are no longer held out.`);
    if (r.skipped.length) parts.push(`${r.skipped.length} skipped (${r.skipped[0].reason}${r.skipped.length > 1 ? ', …' : ''}).`);
    this.app.notify('info', parts.join(' '));
    void this.refreshStats();
    return r;
  }

  /** Downloads the annotations as a JSONL file. */
  async download(all = false): Promise<void> {
    const r = await this.app.attempt('Exporting annotations', () => this.app.api.exportAnnotations({ all }));
    if (!r) return;
    const url = URL.createObjectURL(new Blob([r.jsonl], { type: 'application/x-ndjson' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `annotations-${new Date().toISOString().slice(0, 10)}.jsonl`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.app.notify('info', `Exported ${r.count} annotation${r.count === 1 ? '' : 's'}.`);
  }
}
