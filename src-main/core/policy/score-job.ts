import { AGGREGATIONS, type AggName } from '../engine/aggregate';
import { loadTestPool } from '../eval/test-pool';
import { UserError } from '../errors';
import { evaluateScores } from '../export/import-scores';
import type { Db } from '../store/db';
import { createJob, type PlannedRequest } from '../store/jobs-store';
import { chatCall, type ChatReply, type ChatRequest } from './chat-client';
import { checkPositiveInt, imagesToSend, questionLoader } from './job-config';
import type { JobHandler, Pricing } from './job-runner';
import { generativeMessages, goodProbability, rewardCall, rewardRequest, type RewardRequest } from './prm-requests';

/**
 * The score job: every test candidate scored by a PRM served elsewhere, stored as an
 * evaluation the way `import-scores` stores one ("external PRM" rows beside the runs).
 * Generative PRMs get one chat request per step; reward PRMs one pooling request per CoT.
 */
export interface ScoreConfig {
  /** the API key is never stored */
  endpoint: { baseUrl: string; model: string };
  mode: 'generative' | 'reward';
  /** 'text' for a PRM that takes no images (Qwen2.5-Math-PRM) */
  input: 'multimodal' | 'text';
  /** the system turn: VisualPRM's instruction (generative) or Qwen's (reward) */
  system: string;
  /** generative: the answers meaning a good and a bad step */
  goodToken: string;
  badToken: string;
  /** generative: alternatives asked per token (vLLM allows up to 20 by default) */
  topLogprobs: number;
  /** reward: the tag after each step whose position the model scores */
  stepTag: string;
  /** reward: the pooling API's path on the job's server (an absolute path: vLLM serves it at the root) */
  rewardPath: string;
  /** reward: sent as the request's "task" when set (newer vLLM: "token_classify") */
  poolingTask?: string | null;
  /** the evaluation's name */
  label: string;
  agg: AggName;
  pricing?: Pricing;
  missingImages: 'fail' | 'omit';
}

export interface ScorePlan {
  jobId: number;
  candidates: number;
  steps: number;
  requests: number;
  /** test candidates without a correctness label: best-of-N cannot judge them, so they are not scored */
  skipped: number;
}

interface ScorePayload {
  q: number;
  c: number;
  /** the step asked about (generative); absent: the whole CoT (reward) */
  t?: number;
}

export function checkScoreConfig(c: ScoreConfig): void {
  if (!AGGREGATIONS.includes(c.agg)) throw new UserError(`unknown aggregation "${c.agg}": use ${AGGREGATIONS.join(', ')}`);
  if (!c.label.trim()) throw new UserError('the evaluation needs a label (--label)');
  if (c.mode === 'generative') {
    checkPositiveInt(c.topLogprobs, '--top-logprobs');
    if (!c.goodToken.trim() || !c.badToken.trim() || c.goodToken.trim() === c.badToken.trim()) {
      throw new UserError(`the good and bad answers must be two different non-empty tokens, got "${c.goodToken}" and "${c.badToken}"`);
    }
  } else {
    if (!c.stepTag) throw new UserError('a reward PRM needs the step tag it scores (--step-tag, e.g. <extra_0>)');
    if (!c.rewardPath.startsWith('/')) throw new UserError(`--reward-path must start with "/", got "${c.rewardPath}"`);
  }
}

/** Plans a score job over every judged test candidate (nothing is sent). */
export function planScoreJob(db: Db, config: ScoreConfig): ScorePlan {
  checkScoreConfig(config);
  const { questions, skipped } = loadTestPool(db);
  const candidates = questions.flatMap((q) => q.candidates);
  if (!candidates.length) {
    throw new UserError('the test pool has no candidates with a correctness label to score: import or generate a test set first');
  }
  const requests: PlannedRequest[] = [];
  for (const c of candidates) {
    if (config.mode === 'reward') requests.push({ key: `c${c.cotId}`, payload: { q: c.questionId, c: c.cotId } satisfies ScorePayload });
    else for (let t = 0; t < c.nSteps; t++) requests.push({ key: `c${c.cotId}/t${t}`, payload: { q: c.questionId, c: c.cotId, t } satisfies ScorePayload });
  }
  const steps = candidates.reduce((n, c) => n + c.nSteps, 0);
  const jobId = createJob(db, 'score', config, requests, { candidates: candidates.length, steps, skipped });
  return { jobId, candidates: candidates.length, steps, requests: requests.length, skipped };
}

type ScoreRequest = { chat: ChatRequest } | { reward: RewardRequest };
type ScoreReply = ChatReply | number[];

export function scoreRequest(db: Db, config: ScoreConfig): (payload: unknown) => ScoreRequest | { error: string } {
  const load = questionLoader(db);
  const stepsOf = db.prepare(`SELECT text FROM steps WHERE cot_id = ? ORDER BY idx`).pluck();
  return (payload) => {
    const p = payload as ScorePayload;
    const q = load(p.q);
    const images = config.input === 'text' ? [] : imagesToSend(q, config.missingImages);
    if (!Array.isArray(images)) return images;
    const steps = stepsOf.all(p.c) as string[];
    if (!steps.length || (p.t !== undefined && p.t >= steps.length)) throw new Error(`CoT ${p.c} lost steps since the job was planned`);
    if (p.t === undefined) return { reward: rewardRequest(config.system, q.text, images, steps, config.stepTag) };
    const messages = generativeMessages(config.system, q.text, images, steps, p.t, config.goodToken);
    return { chat: { messages, n: 1, temperature: 0, maxTokens: 1, topLogprobs: config.topLogprobs } };
  };
}

export function scoreHandler(db: Db, jobId: number, config: ScoreConfig): JobHandler<ScoreRequest, ScoreReply> {
  const build = scoreRequest(db, config);
  return {
    build: (_key, payload) => build(payload),
    call: (req, model) => ('chat' in req ? chatCall(model, req.chat) : rewardCall(model, config.rewardPath, req.reward, config.poolingTask ?? null)),
    apply(_key, _payload, reply) {
      if (Array.isArray(reply)) return { scores: reply };
      return { p: goodProbability(reply.topLogprobs?.[0] ?? [], config.goodToken.trim(), config.badToken.trim()) };
    },
    finish: async () => {
      const r = await evaluateScores(db, collectScores(db, jobId), {
        label: config.label,
        agg: config.agg,
        source: `score job ${jobId}`,
        missingHint: 'The test pool changed since the job was planned: plan a new score job.',
      });
      return { evaluationId: r.evaluation.evaluationId };
    },
  };
}

/** Every candidate's step scores from the done requests' results. */
function collectScores(db: Db, jobId: number): Map<number, Float32Array> {
  const rows = db
    .prepare(`SELECT payload, result FROM job_requests WHERE job_id = ? AND status = 'done'`)
    .all(jobId) as { payload: string; result: string }[];
  const steps = new Map<number, number[]>();
  for (const r of rows) {
    const p = JSON.parse(r.payload) as ScorePayload;
    const res = JSON.parse(r.result) as { p?: number; scores?: number[] };
    if (res.scores) steps.set(p.c, res.scores);
    else {
      const list = steps.get(p.c) ?? [];
      list[p.t!] = res.p!;
      steps.set(p.c, list);
    }
  }
  return new Map([...steps].map(([c, s]) => [c, Float32Array.from(s)]));
}
