import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { check, describe } from '../data/validation';
import type { AggName } from '../engine/aggregate';
import { UserError } from '../errors';
import { evaluate, type EvaluationReport } from '../eval/evaluate';
import { loadTestPool } from '../eval/test-pool';
import type { Db } from '../store/db';

/**
 * One line of an external scores file: a test candidate, named by the store's CoT id
 * (`cotId` a number, as index.jsonl of an export gives it) or by its ids in the data
 * (`qid`, `domain` and `cotId` as a string), and the PRM's probability for each of its steps.
 */
const probability = z
  .number()
  .refine((p) => Number.isFinite(p) && p >= 0 && p <= 1, { error: (i) => `scores must be probabilities in [0, 1], got ${describe(i.input)}` });
export const scoreLine = z
  .strictObject({
    cotId: z.union([z.number().int().positive(), z.string().min(1, 'must not be empty')]),
    qid: z.union([z.string().min(1), z.number()]).optional(),
    domain: z.string().min(1).optional(),
    scores: z.array(probability).min(1, 'is empty: give one score per step'),
  })
  .refine((l) => typeof l.cotId === 'number' || (l.qid !== undefined && l.domain !== undefined), {
    error: 'a cotId given as a string (the data\'s CoT id) needs qid and domain too; or give the store\'s numeric CoT id',
    path: ['cotId'],
  });

export interface ImportScoresOptions {
  label?: string;
  agg?: AggName;
  /** evaluate even if some test candidates have no scores (they score 0 and are never chosen) */
  allowMissing?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportScoresResult {
  file: string;
  lines: number;
  /** test candidates that got scores */
  scored: number;
  /** test candidates without scores (only with allowMissing) */
  missing: number;
  /** candidates whose score count differs from their step count */
  lengthMismatches: number;
  /** scored CoTs that best-of-N leaves out (no correctness label) */
  ignored: number;
  evaluation: EvaluationReport;
}

const SHOWN = 10;

/** Reads per-step scores from a big PRM run elsewhere and evaluates them like an internal run. */
export async function importScores(db: Db, file: string, opts: ImportScoresOptions = {}): Promise<ImportScoresResult> {
  await stat(file).catch(() => {
    throw new UserError(`file not found: ${file}`);
  });
  const byExt = db.prepare(
    `SELECT c.id FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
      WHERE d.pool = 'test' AND d.name = ? AND q.ext_id = ? AND c.ext_id = ?`,
  ).pluck();
  const poolOf = db.prepare(`SELECT d.pool FROM cots c JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id WHERE c.id = ?`).pluck();
  const scores = new Map<number, Float32Array>();
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (line: number, msg: string) => {
    problemCount++;
    if (problems.length < SHOWN) problems.push(`line ${line}: ${msg}`);
  };
  let lines = 0;
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (!text.trim()) continue;
    lines++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      problem(n, `not JSON (${(e as Error).message})`);
      continue;
    }
    const r = check(scoreLine, value);
    if (!r.ok) {
      for (const e of r.errors) problem(n, `${e.field} ${e.message}`);
      continue;
    }
    const l = r.value;
    let id: number | undefined;
    if (typeof l.cotId === 'number') {
      const pool = poolOf.get(l.cotId) as string | undefined;
      if (pool === undefined) problem(n, `no CoT with id ${l.cotId} in this database`);
      else if (pool !== 'test') problem(n, `CoT ${l.cotId} is in the ${pool} pool, not a test candidate`);
      else id = l.cotId;
    } else {
      id = byExt.get(l.domain, String(l.qid), l.cotId) as number | undefined;
      if (id === undefined) problem(n, `no test candidate "${l.cotId}" of question "${l.qid}" in domain "${l.domain}"`);
    }
    if (id === undefined) continue;
    if (scores.has(id)) {
      problem(n, `CoT ${id} is scored twice`);
      continue;
    }
    scores.set(id, Float32Array.from(l.scores));
  }
  if (problemCount) {
    throw new UserError(`${file}: ${problemCount} bad line${problemCount > 1 ? 's' : ''}, nothing was imported:\n  ${problems.join('\n  ')}${problemCount > SHOWN ? `\n  ... and ${problemCount - SHOWN} more` : ''}`);
  }
  if (!scores.size) throw new UserError(`${file} has no score lines`);

  return { file, lines, ...(await evaluateScores(db, scores, { ...opts, label: opts.label ?? basename(file), source: file })) };
}

export interface EvaluateScoresOptions extends ImportScoresOptions {
  label: string;
  /** where the scores came from, for the messages (a file, a score job) */
  source: string;
  /** what to do when candidates lack scores (default: the import-scores advice) */
  missingHint?: string;
}

export type ScoresEvaluation = Omit<ImportScoresResult, 'file' | 'lines'>;

/**
 * Evaluates external per-step scores of the test candidates and stores the evaluation, the
 * one path for `import-scores` and the score job, so both give the same rows for the same
 * scores. Candidates without scores are refused (listed), or score 0 with allowMissing.
 */
export async function evaluateScores(db: Db, scores: Map<number, Float32Array>, opts: EvaluateScoresOptions): Promise<ScoresEvaluation> {
  const { questions } = loadTestPool(db);
  const candidates = questions.flatMap((q) => q.candidates.map((c) => ({ ...c, benchmark: q.benchmark })));
  const missing = candidates.filter((c) => !scores.has(c.cotId));
  if (missing.length && !opts.allowMissing) {
    const names = db.prepare(`SELECT q.ext_id AS qid, c.ext_id AS cot FROM cots c JOIN questions q ON q.id = c.question_id WHERE c.id = ?`);
    const listed = missing.slice(0, SHOWN).map((c) => {
      const x = names.get(c.cotId) as { qid: string; cot: string };
      return `${c.benchmark}/${x.qid}/${x.cot} (cotId ${c.cotId})`;
    });
    throw new UserError(
      `${missing.length} of ${candidates.length} test candidates have no scores in ${opts.source}:\n  ${listed.join('\n  ')}` +
        `${missing.length > SHOWN ? `\n  ... and ${missing.length - SHOWN} more` : ''}\n` +
        (opts.missingHint ?? 'Score them too, or pass --allow-missing (unscored candidates then score 0 and are never chosen).'),
    );
  }
  const inPool = new Set(candidates.map((c) => c.cotId));
  const lengthMismatches = candidates.filter((c) => scores.has(c.cotId) && scores.get(c.cotId)!.length !== c.nSteps).length;
  const evaluation = await evaluate(db, {
    runId: null,
    label: opts.label,
    agg: opts.agg,
    scorer: async (ids) => ids.map((id) => scores.get(id) ?? new Float32Array(0)),
    onProgress: opts.onProgress,
  });
  return {
    scored: candidates.length - missing.length,
    missing: missing.length,
    lengthMismatches,
    ignored: [...scores.keys()].filter((id) => !inPool.has(id)).length,
    evaluation,
  };
}
