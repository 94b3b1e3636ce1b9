import { splitSteps } from '../data/split-steps';
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { createJob, type PlannedRequest } from '../store/jobs-store';
import { answersMatch, extractFinalAnswer } from './answer-match';
import { chatCall, type ChatReply, type ChatRequest } from './chat-client';
import { batches, checkCommon, checkPositiveInt, domainFilter, imagesToSend, questionLoader, type GenerateConfig } from './job-config';
import type { JobHandler } from './job-runner';
import { userMessage } from './messages';
import { renderTemplate } from './prompts';

interface GeneratePayload {
  questionId: number;
  start: number;
  n: number;
}

export interface GenerateResult {
  cotIds: number[];
  answers: (string | null)[];
  correct: (boolean | null)[];
}

export interface GeneratePlan {
  jobId: number;
  questions: number;
  requests: number;
  /** questions without a ground-truth answer: their CoTs get no correctness label */
  withoutAnswer: number;
}

/** Plans a generation job: N candidate CoTs for every question of the pool's chosen domains. */
export function planGenerateJob(db: Db, config: GenerateConfig): GeneratePlan {
  checkPositiveInt(config.n, '--n');
  checkCommon(config);
  const f = domainFilter(db, config);
  const rows = db
    .prepare(
      `SELECT q.id, q.answer IS NULL AS noAnswer FROM questions q JOIN domains d ON d.id = q.domain_id
        WHERE ${f.sql} ORDER BY q.id ${config.limit ? 'LIMIT ?' : ''}`,
    )
    .all(...f.params, ...(config.limit ? [config.limit] : [])) as { id: number; noAnswer: number }[];
  if (!rows.length) {
    throw new UserError(`the ${config.pool} pool has no questions${config.domains ? ' in those domains' : ''}: import some first (dreamprm import FILE --pool ${config.pool})`);
  }
  const requests: PlannedRequest[] = [];
  for (const q of rows)
    for (const [start, n] of batches(config.n, config.perRequest)) {
      requests.push({ key: `q${q.id}/s${start}`, payload: { questionId: q.id, start, n } satisfies GeneratePayload });
    }
  const withoutAnswer = rows.filter((r) => r.noAnswer).length;
  const jobId = createJob(db, 'generate', config, requests, { questions: rows.length, withoutAnswer });
  return { jobId, questions: rows.length, requests: requests.length, withoutAnswer };
}

/** Builds the chat request of one planned generation request (tests rebuild prompts with it too). */
export function generateRequest(db: Db, config: GenerateConfig): (payload: unknown) => ChatRequest | { error: string } {
  const load = questionLoader(db);
  return (payload) => {
    const p = payload as GeneratePayload;
    const q = load(p.questionId);
    const images = imagesToSend(q, config.missingImages);
    if (!Array.isArray(images)) return images;
    return {
      messages: [userMessage(renderTemplate(config.templates.solve, { question: q.text }), images)],
      n: p.n,
      temperature: config.temperature,
      ...(config.maxTokens !== null && { maxTokens: config.maxTokens }),
    };
  };
}

/** Each completion becomes a CoT of the question: split into steps, its answer checked against the truth. */
export function generateHandler(db: Db, jobId: number, config: GenerateConfig): JobHandler<ChatRequest, ChatReply> {
  const build = generateRequest(db, config);
  const load = questionLoader(db);
  const insertCot = db.prepare(
    `INSERT INTO cots (question_id, ext_id, answer, correct, n_steps) VALUES (?, ?, ?, ?, ?)`,
  );
  const insertStep = db.prepare(`INSERT INTO steps (cot_id, idx, text) VALUES (?, ?, ?)`);
  return {
    build: (_key, payload) => build(payload),
    call: (req, model) => chatCall(model, req),
    apply(_key, payload, reply: ChatReply): GenerateResult {
      const p = payload as GeneratePayload;
      const q = load(p.questionId);
      const out: GenerateResult = { cotIds: [], answers: [], correct: [] };
      reply.texts.forEach((text, i) => {
        const { steps } = splitSteps(text);
        if (!steps.length) throw new Error(`completion ${i} has no steps after splitting`);
        const answer = extractFinalAnswer(text);
        const correct = q.answer == null ? null : answersMatch(answer, q.answer, config.match);
        const cotId = Number(
          insertCot.run(p.questionId, `job${jobId}-${p.start + i}`, answer, correct == null ? null : correct ? 1 : 0, steps.length)
            .lastInsertRowid,
        );
        steps.forEach((s, idx) => insertStep.run(cotId, idx, s));
        out.cotIds.push(cotId);
        out.answers.push(answer);
        out.correct.push(correct);
      });
      return out;
    },
  };
}
