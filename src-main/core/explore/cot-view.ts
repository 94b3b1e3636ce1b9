/**
 * A CoT and its question as the explorer and the review show them: every step with its label
 * and where the label comes from (a human, Monte Carlo rollouts, or the dataset), and who gave
 * a human label when.
 */
import { NotFoundError } from '../errors';
import type { Db } from '../store/db';
import type { CotView, LabelledStep, LabelSource, QuestionView } from './types';

interface HumanMark {
  stepIdx: number | null;
  annotator: string;
  createdAt: string;
  value: number | null;
}

/** The newest live annotation of each target of these CoTs (cot id → step idx or -1 → mark). */
export function humanMarks(db: Db, cotIds: readonly number[]): Map<number, Map<number, HumanMark>> {
  const out = new Map<number, Map<number, HumanMark>>();
  if (!cotIds.length) return out;
  const rows = db
    .prepare(
      `SELECT a.cot_id AS cotId, a.step_idx AS stepIdx, a.annotator, a.created_at AS createdAt, a.value
         FROM annotations a
        WHERE a.id IN (SELECT max(id) FROM annotations
                        WHERE cot_id IN (SELECT value FROM json_each(?)) AND undone_at IS NULL
                        GROUP BY cot_id, step_idx)`,
    )
    .all(JSON.stringify(cotIds)) as (HumanMark & { cotId: number })[];
  for (const r of rows) {
    const m = out.get(r.cotId) ?? new Map<number, HumanMark>();
    m.set(r.stepIdx ?? -1, r);
    out.set(r.cotId, m);
  }
  return out;
}

export function labelSource(step: { mc: number | null; k: number | null; human: number | null }): LabelSource {
  if (step.human !== null) return 'human';
  if (step.mc === null) return 'none';
  return step.k === null ? 'dataset' : 'monte-carlo';
}

interface CotRowDb {
  id: number;
  extId: string;
  answer: string | null;
  correct: number | null;
  promotedTo: number | null;
}

/** CoTs with their steps and label provenance, in the order asked. Unknown ids are left out. */
export function cotViews(db: Db, cotIds: readonly number[]): CotView[] {
  if (!cotIds.length) return [];
  const ids = JSON.stringify(cotIds);
  const cots = db
    .prepare(
      `SELECT c.id, c.ext_id AS extId, c.answer, c.correct,
              (SELECT p.meta_cot_id FROM meta_promotions p WHERE p.source_cot_id = c.id) AS promotedTo
         FROM cots c WHERE c.id IN (SELECT value FROM json_each(?))`,
    )
    .all(ids) as CotRowDb[];
  const steps = db
    .prepare(
      `SELECT cot_id AS cotId, idx, text, mc, k, human FROM steps
        WHERE cot_id IN (SELECT value FROM json_each(?)) ORDER BY cot_id, idx`,
    )
    .all(ids) as { cotId: number; idx: number; text: string; mc: number | null; k: number | null; human: 0 | 1 | null }[];
  const marks = humanMarks(db, cotIds);
  const stepsOf = new Map<number, LabelledStep[]>();
  for (const s of steps) {
    const mark = s.human !== null ? marks.get(s.cotId)?.get(s.idx) : undefined;
    const list = stepsOf.get(s.cotId) ?? [];
    list.push({
      idx: s.idx,
      text: s.text,
      mc: s.mc,
      k: s.k,
      human: s.human,
      humanBy: mark?.annotator ?? null,
      humanAt: mark?.createdAt ?? null,
      source: labelSource(s),
    });
    stepsOf.set(s.cotId, list);
  }
  const byId = new Map(cots.map((c) => [c.id, c]));
  return cotIds.flatMap((id) => {
    const c = byId.get(id);
    if (!c) return [];
    const judged = marks.get(id)?.get(-1);
    return [
      {
        cotId: c.id,
        extId: c.extId,
        answer: c.answer,
        correct: c.correct === null ? null : c.correct === 1,
        correctBy: judged && judged.value !== null && c.correct !== null ? judged.annotator : null,
        steps: stepsOf.get(id) ?? [],
        promotedTo: c.promotedTo,
      },
    ];
  });
}

export function cotView(db: Db, cotId: number): CotView {
  const [v] = cotViews(db, [cotId]);
  if (!v) throw new NotFoundError(`no CoT with id ${cotId}`);
  return v;
}

export function questionView(db: Db, questionId: number): QuestionView {
  const q = db
    .prepare(
      `SELECT q.id AS questionId, q.ext_id AS extId, d.name AS domain, d.pool, q.text, q.answer
         FROM questions q JOIN domains d ON d.id = q.domain_id WHERE q.id = ?`,
    )
    .get(questionId) as Omit<QuestionView, 'imageIds' | 'missingImages'> | undefined;
  if (!q) throw new NotFoundError(`no question with id ${questionId}`);
  const images = db
    .prepare('SELECT image_id AS imageId FROM question_images WHERE question_id = ? ORDER BY ord')
    .pluck()
    .all(questionId) as (number | null)[];
  return {
    ...q,
    imageIds: images.filter((i): i is number => i !== null),
    missingImages: images.filter((i) => i === null).length,
  };
}
