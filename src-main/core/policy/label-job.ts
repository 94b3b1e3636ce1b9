import { splitSteps } from '../data/split-steps';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { countWithPrefix, createJob, doneResults, type PlannedRequest } from '../store/jobs-store';
import { answersMatch, extractFinalAnswer } from './answer-match';
import { chatCall, type ChatReply, type ChatRequest } from './chat-client';
import { batches, checkCommon, checkPositiveInt, domainFilter, imagesToSend, questionLoader, type LabelConfig } from './job-config';
import type { JobHandler } from './job-runner';
import { userMessage } from './messages';
import { renderTemplate } from './prompts';

interface LabelPayload {
  questionId: number;
  cotId: number;
  /** step index (0-based): the prefix is steps 0..idx */
  idx: number;
  start: number;
  n: number;
}

export interface LabelResult {
  answers: (string | null)[];
  correct: boolean[];
}

export interface LabelPlan {
  jobId: number;
  cots: number;
  /** steps that will be labelled by rollouts */
  steps: number;
  requests: number;
  /** final "Final answer: X" steps labelled at once by checking X (no rollouts needed) */
  finalSteps: number;
  /** CoTs skipped because their question has no ground-truth answer to check rollouts against */
  withoutAnswer: number;
}

const stepPrefix = (cotId: number, idx: number) => `c${cotId}/t${idx}/`;

/** A step that is only a "Final answer: X" line: rollouts from it would just repeat X. */
export function answerOnlyStep(stepText: string): string | null {
  const s = splitSteps(stepText);
  return s.finalAnswer !== undefined && s.steps.length === 1 ? s.finalAnswer : null;
}

/**
 * Plans Monte Carlo labelling: for every CoT of the pool and every step t without a label
 * (or every step, with `relabel`), K rollouts continuing from steps 1..t; m = the fraction
 * that reach the ground-truth answer. A last step that only states the final answer is
 * labelled right away (1 if the answer is right, else 0; k = K).
 */
export function planLabelJob(db: Db, config: LabelConfig): LabelPlan {
  checkPositiveInt(config.k, '--k');
  checkCommon(config);
  const f = domainFilter(db, config);
  const cots = db
    .prepare(
      `SELECT c.id, c.question_id AS questionId, q.answer FROM cots c
         JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id
        WHERE ${f.sql} ORDER BY c.id ${config.limit ? 'LIMIT ?' : ''}`,
    )
    .all(...f.params, ...(config.limit ? [config.limit] : [])) as { id: number; questionId: number; answer: string | null }[];
  if (!cots.length) {
    throw new UserError(`the ${config.pool} pool has no CoTs${config.domains ? ' in those domains' : ''} to label: import or generate some first`);
  }
  const stepsOf = db.prepare(`SELECT idx, text, mc FROM steps WHERE cot_id = ? ORDER BY idx`);
  const setLabel = db.prepare(`UPDATE steps SET mc = ?, k = ? WHERE cot_id = ? AND idx = ?`);
  const requests: PlannedRequest[] = [];
  const finals: { cotId: number; idx: number; m: number }[] = [];
  let withoutAnswer = 0;
  let steps = 0;
  let labelled = 0;
  for (const c of cots) {
    if (c.answer == null) {
      withoutAnswer++;
      continue;
    }
    labelled++;
    const rows = stepsOf.all(c.id) as { idx: number; text: string; mc: number | null }[];
    rows.forEach((s, i) => {
      if (s.mc !== null && !config.relabel) return;
      const final = i === rows.length - 1 ? answerOnlyStep(s.text) : null;
      if (final !== null) {
        finals.push({ cotId: c.id, idx: s.idx, m: answersMatch(final, c.answer, config.match) ? 1 : 0 });
        return;
      }
      steps++;
      for (const [start, n] of batches(config.k, config.perRequest)) {
        const payload: LabelPayload = { questionId: c.questionId, cotId: c.id, idx: s.idx, start, n };
        requests.push({ key: `${stepPrefix(c.id, s.idx)}s${start}`, payload });
      }
    });
  }
  if (!labelled) {
    throw new UserError(`none of the ${cots.length} CoTs' questions has a ground-truth answer: rollouts cannot be checked without one`);
  }
  const summary = { cots: labelled, steps, finalSteps: finals.length, withoutAnswer };
  const jobId = db.transaction(() => {
    for (const f of finals) setLabel.run(f.m, config.k, f.cotId, f.idx);
    return createJob(db, 'label', config, requests, summary);
  })();
  return { jobId, ...summary, requests: requests.length };
}

/** The chat request of one planned rollout request: the question and the solution's first steps. */
export function labelRequest(db: Db, config: LabelConfig): (payload: unknown) => ChatRequest | { error: string } {
  const load = questionLoader(db);
  const prefixOf = db.prepare(`SELECT text FROM steps WHERE cot_id = ? AND idx <= ? ORDER BY idx`).pluck();
  return (payload) => {
    const p = payload as LabelPayload;
    const q = load(p.questionId);
    const images = imagesToSend(q, config.missingImages);
    if (!Array.isArray(images)) return images;
    const prefix = (prefixOf.all(p.cotId, p.idx) as string[]).join('\n\n');
    if (!prefix) throw new Error(`CoT ${p.cotId} has no steps up to ${p.idx} (deleted since the job was planned)`);
    return {
      messages: [userMessage(renderTemplate(config.templates.continue, { question: q.text, prefix }), images)],
      n: p.n,
      temperature: config.temperature,
      ...(config.maxTokens !== null && { maxTokens: config.maxTokens }),
    };
  };
}

export function labelHandler(db: Db, jobId: number, config: LabelConfig): JobHandler<ChatRequest, ChatReply> {
  const build = labelRequest(db, config);
  const load = questionLoader(db);
  const setLabel = db.prepare(`UPDATE steps SET mc = ?, k = ? WHERE cot_id = ? AND idx = ?`);
  return {
    build: (_key, payload) => build(payload),
    call: (req, model) => chatCall(model, req),
    apply(_key, payload, reply: ChatReply): LabelResult {
      const p = payload as LabelPayload;
      const truth = load(p.questionId).answer;
      const answers = reply.texts.map(extractFinalAnswer);
      const correct = answers.map((a) => answersMatch(a, truth, config.match));
      // The step's label is written when its last batch of rollouts comes in.
      const prefix = stepPrefix(p.cotId, p.idx);
      const siblings = doneResults(db, jobId, prefix);
      if (siblings.length + 1 === countWithPrefix(db, jobId, prefix)) {
        const all = [...siblings.map((s) => (s.result as LabelResult).correct), correct].flat();
        setLabel.run(all.filter(Boolean).length / all.length, all.length, p.cotId, p.idx);
      }
      return { answers, correct };
    },
  };
}
