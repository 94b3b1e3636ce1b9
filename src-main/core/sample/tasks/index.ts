import type { SampleRng } from '../rng';
import { barsProblem } from './bars';
import { compareProblem } from './compare';
import { countProblem } from './count';
import { gaugeProblem } from './gauge';
import { gridProblem } from './grid';
import { pathProblem } from './path';
import type { Problem, TaskName } from './problem';

export { TASK_NAMES, type Problem, type StepPlan, type TaskName } from './problem';

/** Draws one problem of a task; `long` asks for the variant with more values to read. */
export function makeProblem(task: TaskName, rng: SampleRng, long: boolean): Problem {
  switch (task) {
    case 'bars':
      return barsProblem(rng, long);
    case 'count':
      return countProblem(rng, long);
    case 'gauge':
      return gaugeProblem(rng, long);
    case 'grid':
      return gridProblem(rng, long);
    case 'compare':
      return compareProblem(rng);
    case 'path':
      return pathProblem(rng);
  }
}

/** Tasks whose problems come in a short and a long variant (the difficulty knob picks). */
export const TASKS_WITH_LONG_VARIANT: readonly TaskName[] = ['bars', 'count', 'gauge', 'grid'];
