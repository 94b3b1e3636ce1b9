import type { Component } from 'svelte';
import type { AppState } from '../lib/app-state.svelte';

export interface RunSectionProps {
  app: AppState;
  runId: number;
}

/**
 * Extra sections of the run page, shown below its charts in this order. The evaluation
 * (best-of-N table and radar chart) registers its section here once evaluation is in the API.
 */
export const RUN_SECTIONS: readonly Component<RunSectionProps>[] = [];
