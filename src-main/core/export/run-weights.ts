import type { Db } from '../store/db';
import { getInstanceWeightSnapshot, getRun, listInstanceSnapshotSteps } from '../store/runs-store';

export interface WeightSource {
  runId: number;
  method: string;
  status: string;
  /** the training step the weights are from */
  step: number;
  /** domain → weight at the run's last recorded step */
  domainWeights: Record<string, number>;
  /** whether per-instance weights (instance table / net) exist, from the last snapshot */
  perInstance: boolean;
}

export interface Weights {
  source: WeightSource | null;
  /** an instance's weight: its own (instance methods), else its domain's, else 1 */
  weightOf(cotId: number, domain: string): number;
  /** how many weights came from where, for the summary */
  counts: { instance: number; domain: number; default: number };
}

/** The learned weights of a run, or all 1 without one (a uniform export). */
export function loadWeights(db: Db, runId: number | null): Weights {
  const counts = { instance: 0, domain: 0, default: 0 };
  if (runId === null) {
    return {
      source: null,
      counts,
      weightOf: () => {
        counts.default++;
        return 1;
      },
    };
  }
  const run = getRun(db, runId);
  const perInstance = listInstanceSnapshotSteps(db, runId).length > 0;
  const snap = perInstance ? getInstanceWeightSnapshot(db, runId) : null;
  const byCot = new Map<number, number>();
  if (snap) snap.cotIds.forEach((id, i) => byCot.set(id, snap.weights[i]));
  const dw = run.domainWeights;
  return {
    source: { runId, method: run.method, status: run.status, step: snap?.step ?? run.step, domainWeights: dw, perInstance },
    counts,
    weightOf(cotId, domain) {
      const w = byCot.get(cotId);
      if (w !== undefined) {
        counts.instance++;
        return w;
      }
      if (dw[domain] !== undefined) {
        counts.domain++;
        return dw[domain];
      }
      counts.default++;
      return 1;
    },
  };
}
