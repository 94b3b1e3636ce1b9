import type { Component } from 'svelte';
import type { RunDetail } from '../../../src-main/core/api/types';
import type { AppState } from '../lib/app-state.svelte';
import EvaluationSection from './EvaluationSection.svelte';
import RunInputsSection from './RunInputsSection.svelte';

export interface RunSectionProps {
  app: AppState;
  /** the run as last read (it changes while the run trains) */
  run: RunDetail;
}

/** Extra sections of the run page, shown below its charts in this order. */
export const RUN_SECTIONS: readonly Component<RunSectionProps>[] = [EvaluationSection, RunInputsSection];
