/**
 * The explorer's loss column: each instance's lower-level loss under the run's current PRM,
 * ℓ_i = mean over its labelled steps of L(p_t, y_t) with y = human label over m, L the run's
 * `lower.loss` (mse, or bce as the trainer computes it from logits). The PRM scores come from
 * the training worker in chunks; the numbers are written into the run's explorer table.
 */
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { getRunConfig } from '../store/runs-store';
import { explorerTableRow, infoOf } from './instance-table';
import type { ExplorerInfo } from './types';

export type StepScores = (cotIds: number[]) => Promise<{ step: number; scores: Float32Array[] }>;

const EPS = 1e-6;

/** ℓ for one CoT; null when no step is labelled. Long CoTs are scored whole (training keeps maxSteps of them). */
export function instanceLoss(kind: 'mse' | 'bce', p: ArrayLike<number>, y: readonly (number | null)[]): number | null {
  let sum = 0;
  let n = 0;
  for (let t = 0; t < Math.min(p.length, y.length); t++) {
    const m = y[t];
    if (m === null) continue;
    const q = Math.min(1 - EPS, Math.max(EPS, p[t]));
    if (kind === 'mse') sum += (q - m) ** 2;
    else {
      // softplus(z) − z·m with z = logit(q), as the trainer's BCE on logits.
      const z = Math.log(q / (1 - q));
      sum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - z * m;
    }
    n++;
  }
  return n ? sum / n : null;
}

function lossKind(db: Db, runId: number): 'mse' | 'bce' {
  const lower = getRunConfig(db, runId).lower as { loss?: string } | undefined;
  return lower?.loss === 'bce' ? 'bce' : 'mse';
}

const running = new WeakMap<Db, Set<number>>();

/** Scores every instance of the run's explorer table and stores its loss; returns the table's info. */
export async function computeLosses(
  db: Db,
  runId: number,
  score: StepScores,
  opts: { chunk?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<ExplorerInfo> {
  const table = explorerTableRow(db, runId);
  if (!table) throw new UserError(`run ${runId} has no explorer table yet: open its explorer first`);
  let perDb = running.get(db);
  if (!perDb) running.set(db, (perDb = new Set()));
  if (perDb.has(runId)) throw new UserError(`the losses of run ${runId} are being computed already`);
  perDb.add(runId);
  try {
    const kind = lossKind(db, runId);
    const t = table.table_name;
    const chunk = Math.max(1, opts.chunk ?? 2000);
    const keys = db.prepare(`SELECT idx, cot_id AS cotId FROM ${t} WHERE idx > ? ORDER BY idx LIMIT ?`);
    const labels = db.prepare(
      `SELECT cot_id AS cotId, idx, coalesce(human, mc) AS y FROM steps
        WHERE cot_id IN (SELECT value FROM json_each(?)) ORDER BY cot_id, idx`,
    );
    const write = db.prepare(`UPDATE ${t} SET loss = ? WHERE idx = ?`);
    let after = -1;
    let done = 0;
    let step: number | null = null;
    for (;;) {
      const part = keys.all(after, chunk) as { idx: number; cotId: number }[];
      if (!part.length) break;
      const ids = part.map((r) => r.cotId);
      const ys = new Map<number, (number | null)[]>();
      for (const l of labels.iterate(JSON.stringify(ids)) as Iterable<{ cotId: number; idx: number; y: number | null }>) {
        const list = ys.get(l.cotId) ?? [];
        list[l.idx] = l.y;
        ys.set(l.cotId, list);
      }
      const scored = await score(ids);
      if (step !== null && scored.step !== step) {
        throw new UserError(`run ${runId} wrote a new checkpoint while its losses were computed; compute them again`);
      }
      step = scored.step;
      // The table may have been rebuilt meanwhile; then these numbers belong to no table.
      if (explorerTableRow(db, runId)?.table_name !== t) throw new UserError(`run ${runId}'s explorer table was rebuilt meanwhile; compute the losses again`);
      db.transaction(() => {
        part.forEach((r, i) => write.run(instanceLoss(kind, scored.scores[i], Array.from(ys.get(r.cotId) ?? [], (y) => y ?? null)), r.idx));
      })();
      after = part[part.length - 1].idx;
      done += part.length;
      opts.onProgress?.(done, table.instances);
    }
    db.prepare('UPDATE explore_tables SET losses_step = ? WHERE run_id = ? AND table_name = ?').run(step, runId, t);
    return infoOf(db, explorerTableRow(db, runId)!);
  } finally {
    perDb.delete(runId);
  }
}
