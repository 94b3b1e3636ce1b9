import type {
  CotView,
  EvaluationDetail,
  EvaluationSummary,
  ReviewFilter,
  ReviewIndex,
  ReviewQuestion,
} from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

/**
 * The review of one evaluation: the questions the filter keeps, the one shown, the chosen
 * candidate and step (keyboard-driven), and a second evaluation to compare choices with.
 */
export class ReviewState {
  evaluation = $state<EvaluationDetail | null>(null);
  /** every evaluation, for the "compare with" choice */
  evaluations = $state<EvaluationSummary[]>([]);
  filter = $state<ReviewFilter>('all');
  otherId = $state<number | null>(null);
  index = $state<ReviewIndex | null>(null);
  position = $state(0);
  question = $state<ReviewQuestion | null>(null);
  candidate = $state(0);
  step = $state(0);
  missing = $state<string | null>(null);
  private loadSeq = 0;

  constructor(
    private readonly app: AppState,
    readonly evaluationId: number,
  ) {}

  async load(): Promise<void> {
    try {
      const [evaluation, evaluations] = await Promise.all([
        this.app.api.getEvaluation({ evaluationId: this.evaluationId }),
        this.app.api.listEvaluations(),
      ]);
      this.evaluation = evaluation;
      this.evaluations = evaluations.filter((e) => e.evaluationId !== this.evaluationId);
    } catch (e) {
      this.missing = (e as Error).message;
      return;
    }
    await this.reindex();
  }

  /** Re-reads the question list for the filter; stays on the same question when it is still listed. */
  async reindex(): Promise<void> {
    const keep = this.currentQuestionId;
    const idx = await this.app.attempt('Loading the questions', () =>
      this.app.api.reviewIndex({ evaluationId: this.evaluationId, filter: this.filter, otherEvaluationId: this.otherId }),
    );
    if (!idx) return;
    this.index = idx;
    const at = keep === null ? -1 : idx.items.findIndex((i) => i.questionId === keep);
    await this.go(at >= 0 ? at : 0, at >= 0);
  }

  async setFilter(filter: ReviewFilter): Promise<void> {
    if (filter === 'disagree' && this.otherId === null) {
      const other = this.evaluations[0];
      if (!other) {
        this.app.notify('error', 'Two runs disagree: evaluate a second run first, to compare its choices with this one.');
        return;
      }
      this.otherId = other.evaluationId;
    }
    this.filter = filter;
    await this.reindex();
  }

  async setOther(id: number | null): Promise<void> {
    this.otherId = id;
    if (id === null && this.filter === 'disagree') this.filter = 'all';
    await this.reindex();
  }

  get currentQuestionId(): number | null {
    return this.index?.items[this.position]?.questionId ?? null;
  }

  get count(): number {
    return this.index?.items.length ?? 0;
  }

  /** Shows the question at `position` of the list; `keepSelection` stays on the same candidate and step. */
  async go(position: number, keepSelection = false): Promise<void> {
    if (!this.index || this.index.items.length === 0) {
      this.question = null;
      this.position = 0;
      return;
    }
    const p = Math.max(0, Math.min(this.index.items.length - 1, position));
    this.position = p;
    const seq = ++this.loadSeq;
    const q = await this.app.attempt('Loading the question', () =>
      this.app.api.reviewQuestion({
        evaluationId: this.evaluationId,
        questionId: this.index!.items[p].questionId,
        otherEvaluationId: this.otherId,
      }),
    );
    if (!q || seq !== this.loadSeq) return;
    this.question = q;
    if (!keepSelection) {
      const chosen = q.candidates.findIndex((c) => c.chosen);
      this.candidate = chosen >= 0 ? chosen : 0;
      this.step = 0;
    } else {
      this.candidate = Math.min(this.candidate, q.candidates.length - 1);
    }
  }

  next(): Promise<void> {
    return this.go(this.position + 1);
  }

  previous(): Promise<void> {
    return this.go(this.position - 1);
  }

  selectCandidate(i: number): void {
    if (!this.question || i < 0 || i >= this.question.candidates.length) return;
    if (i !== this.candidate) this.step = 0;
    this.candidate = i;
  }

  moveStep(delta: number): void {
    const c = this.question?.candidates[this.candidate];
    if (!c) return;
    this.step = Math.max(0, Math.min(c.steps.length - 1, this.step + delta));
  }

  /** Puts a CoT's new labels (after annotating or undoing) into the question shown. */
  updateCot(cot: CotView): void {
    if (!this.question) return;
    this.question = {
      ...this.question,
      candidates: this.question.candidates.map((c) => (c.cotId === cot.cotId ? { ...c, ...cot } : c)),
    };
  }
}
