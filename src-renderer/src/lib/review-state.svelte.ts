import type {
  CotView,
  EvaluationDetail,
  EvaluationSummary,
  ReviewFilter,
  ReviewIndex,
  ReviewItem,
  ReviewQuestion,
} from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';
import type { ReviewPlace } from './router.svelte';

const uniq = (xs: (string | null)[]): string[] => [...new Set(xs.filter((x): x is string => x !== null))].sort();

/**
 * The review of one evaluation: the questions the filters keep, the one shown, the chosen
 * candidate and step (keyboard-driven), and a second evaluation to compare choices with.
 * Its place (question, filters, compared evaluation, grouping) goes to `onPlace` at every move,
 * for the address bar, and comes back from it on a reload.
 */
export class ReviewState {
  evaluation = $state<EvaluationDetail | null>(null);
  /** every other evaluation, for the "compare with" choice */
  evaluations = $state<EvaluationSummary[]>([]);
  filter = $state<ReviewFilter>('all');
  otherId = $state<number | null>(null);
  /** only questions of this benchmark / task (null: all) */
  benchmark = $state<string | null>(null);
  task = $state<string | null>(null);
  /** candidates grouped by final answer */
  grouped = $state(false);
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
    private readonly place: ReviewPlace = {},
    private readonly onPlace: (place: ReviewPlace) => void = () => {},
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
    this.restore(this.place);
    await this.reindex(this.place.q ?? null);
  }

  /** Takes a place from the address; an evaluation to compare with that no longer exists is dropped, and said so. */
  private restore(place: ReviewPlace): void {
    const other = place.other ?? null;
    const known = other !== null && this.evaluations.some((e) => e.evaluationId === other);
    if (other !== null && !known) this.app.notify('error', `Evaluation #${other} to compare with does not exist (any more): showing this one alone.`);
    this.otherId = known ? other : null;
    this.filter = place.filter === 'disagree' && !known ? 'all' : (place.filter ?? 'all');
    this.benchmark = place.benchmark ?? null;
    this.task = place.task ?? null;
    this.grouped = place.group ?? false;
  }

  /** The questions shown: the server's filter, then benchmark and task. */
  get items(): ReviewItem[] {
    return (this.index?.items ?? []).filter(
      (i) => (this.benchmark === null || i.benchmark === this.benchmark) && (this.task === null || i.task === this.task),
    );
  }

  get benchmarks(): string[] {
    return uniq((this.index?.items ?? []).map((i) => i.benchmark));
  }

  get tasks(): string[] {
    return uniq((this.index?.items ?? []).map((i) => i.task));
  }

  /** Re-reads the question list; stays on `keep` (default: the question shown) when it is still listed. */
  async reindex(keep: number | null = this.currentQuestionId): Promise<void> {
    const idx = await this.app.attempt('Loading the questions', () =>
      this.app.api.reviewIndex({ evaluationId: this.evaluationId, filter: this.filter, otherEvaluationId: this.otherId }),
    );
    if (!idx) return;
    this.index = idx;
    await this.goToQuestion(keep);
  }

  private async goToQuestion(questionId: number | null): Promise<void> {
    const at = questionId === null ? -1 : this.items.findIndex((i) => i.questionId === questionId);
    await this.go(at >= 0 ? at : 0, at >= 0 && questionId === this.question?.question.questionId);
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

  async setBenchmark(benchmark: string | null): Promise<void> {
    this.benchmark = benchmark;
    await this.goToQuestion(this.currentQuestionId);
  }

  async setTask(task: string | null): Promise<void> {
    this.task = task;
    await this.goToQuestion(this.currentQuestionId);
  }

  setGrouped(on: boolean): void {
    this.grouped = on;
    this.report();
  }

  /**
   * Shows the question whose id (as the data names it) is `extId`, case-insensitively; widens
   * the filters when they hide it. False when the evaluation has no such question.
   */
  async jumpTo(extId: string): Promise<boolean> {
    const want = extId.trim().toLowerCase();
    if (!want) return false;
    const find = (items: ReviewItem[]) => items.find((i) => i.extId.toLowerCase() === want);
    let hit = find(this.items);
    if (!hit && find(this.index?.items ?? [])) {
      this.benchmark = null;
      this.task = null;
      hit = find(this.items);
    }
    if (!hit && this.filter !== 'all') {
      this.filter = 'all';
      await this.reindex();
      hit = find(this.items);
    }
    if (!hit) {
      this.app.notify('error', `Evaluation #${this.evaluationId} has no question “${extId.trim()}”.`);
      return false;
    }
    await this.goToQuestion(hit.questionId);
    return true;
  }

  get currentQuestionId(): number | null {
    return this.items[this.position]?.questionId ?? null;
  }

  get count(): number {
    return this.items.length;
  }

  private report(): void {
    this.onPlace({
      q: this.currentQuestionId ?? undefined,
      filter: this.filter,
      other: this.otherId ?? undefined,
      benchmark: this.benchmark ?? undefined,
      task: this.task ?? undefined,
      group: this.grouped || undefined,
    });
  }

  /** Shows the question at `position` of the list; `keepSelection` stays on the same candidate and step. */
  async go(position: number, keepSelection = false): Promise<void> {
    const items = this.items;
    if (items.length === 0) {
      this.question = null;
      this.position = 0;
      this.report();
      return;
    }
    const p = Math.max(0, Math.min(items.length - 1, position));
    this.position = p;
    this.report();
    const seq = ++this.loadSeq;
    const q = await this.app.attempt('Loading the question', () =>
      this.app.api.reviewQuestion({ evaluationId: this.evaluationId, questionId: items[p].questionId, otherEvaluationId: this.otherId }),
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
