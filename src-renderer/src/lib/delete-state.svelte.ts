import type { DeletionCount, DeletionPlan, DeletionTarget } from '../../../src-main/core/api/types';
import type { AppState } from './app-state.svelte';

/** "3 questions, 24 CoTs, 1 image" */
export function describeCounts(counts: readonly DeletionCount[]): string {
  return counts.map((c) => `${c.count.toLocaleString('en-US')} ${c.what}`).join(', ') || 'nothing else';
}

/**
 * Deleting with a confirmation that says what goes: one dialog for the whole app. `ask` shows
 * the plan and resolves true once the user confirmed and the deletion went through.
 */
export class DeleteState {
  plan = $state<DeletionPlan | null>(null);
  busy = $state(false);
  private settle: ((deleted: boolean) => void) | null = null;

  constructor(private readonly app: AppState) {}

  async ask(target: DeletionTarget): Promise<boolean> {
    this.close(false);
    const plan = await this.app.attempt('Checking what would be deleted', () => this.app.api.planDeletion(target));
    if (!plan) return false;
    this.plan = plan;
    return new Promise((resolve) => (this.settle = resolve));
  }

  async confirm(): Promise<void> {
    const plan = this.plan;
    if (!plan || plan.refusal) return;
    this.busy = true;
    const done = await this.app.attempt(`Deleting ${plan.name}`, () => this.app.api.deleteItem(plan.target));
    this.busy = false;
    if (done) {
      this.app.notify('info', `Deleted ${done.name}: ${describeCounts(done.removed)}.`);
      void this.app.refreshInfo();
    }
    this.close(done !== undefined);
  }

  cancel(): void {
    this.close(false);
  }

  private close(deleted: boolean): void {
    this.plan = null;
    const settle = this.settle;
    this.settle = null;
    settle?.(deleted);
  }
}
