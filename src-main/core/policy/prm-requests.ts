import { z } from 'zod';
import type { ChatMessage, TokenLogprob } from './chat-client';
import { userMessage } from './messages';
import { ReplyError, replyOf, snippet, type Parsed, type ServerCall } from './server-client';

/**
 * How an external PRM is asked about a chain of thought.
 *
 * Generative (VisualPRM, DreamPRM-1.5): the conversation the PRM was trained on: a system
 * instruction, the question with its images and the first step, then each later step as its
 * own turn, every earlier step answered "+". The PRM's one-token answer after step t gives
 * p_t = P("+") / (P("+") + P("-")) from the top log-probabilities, as VisualPRM reads the
 * +/- logits at each step.
 *
 * Reward (Qwen2.5-Math-PRM on vLLM's pooling API): the whole CoT at once, a step tag after
 * every step; the server returns, per tag, the classifier's [P(bad), P(good)].
 */
export const VISUALPRM_SYSTEM =
  'You are an advanced AI assistant, designed to serve as a process supervision model. In this task, I will provide a problem statement followed by the first step of the solution process. For each subsequent turn, I will give you a new step in the solution. Your role is to assess whether the solution process is correct up to the current step.\n\n' +
  '- In the first round, I will input the problem and the first step of the solution process.\n' +
  '- In each subsequent round, I will provide the next step in the solution.\n\n' +
  'For each step, you should:\n\n' +
  '- Respond with **"+"** if you believe the solution process is correct up to this step.\n' +
  '- Respond with **"-"** if you detect any issues or errors in the process up to this step.\n\n' +
  'Please note:\n- Only respond with **"+"** or **"-"**. Do not provide any additional explanations, comments, or justifications.\n\n' +
  'Your task is to verify the accuracy and correctness of each step in the given solution process.';

export const QWEN_PRM_SYSTEM = 'Please reason step by step, and put your final answer within \\boxed{}.';
export const QWEN_PRM_STEP_TAG = '<extra_0>';

/** The VisualPRM conversation that asks about step t (0-based) of `steps`. */
export function generativeMessages(system: string, question: string, images: string[], steps: string[], t: number, good: string): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: system }];
  messages.push(userMessage(`### Question:\n${question}\n\n### Solution Process:\n${steps[0]}`, images));
  for (let i = 1; i <= t; i++) {
    messages.push({ role: 'assistant', content: good });
    messages.push({ role: 'user', content: steps[i] });
  }
  return messages;
}

/**
 * P(good) against P(bad) from the alternatives for the answer's first token. A token missing
 * from the list is at most as likely as the least likely one listed; that bound stands in for
 * it, so a confident PRM gives p near (not exactly) 0 or 1 and candidates keep their order.
 */
export function goodProbability(top: TokenLogprob[], good: string, bad: string): number {
  const mass = (word: string) => top.filter((t) => t.token.trim() === word).reduce((p, t) => p + Math.exp(t.logprob), 0);
  const g = mass(good);
  const b = mass(bad);
  if (g === 0 && b === 0) {
    const seen = top.map((t) => JSON.stringify(t.token)).join(', ') || '(none)';
    throw new Error(`the PRM's likely answers hold neither "${good}" nor "${bad}" (got ${seen}): is it a generative PRM that answers ${good}/${bad}?`);
  }
  const floor = Math.exp(Math.min(...top.map((t) => t.logprob)));
  return (g || floor) / ((g || floor) + (b || floor));
}

const rewardSchema = z.object({
  data: z.array(z.object({ data: z.array(z.union([z.number(), z.array(z.number())])) })).min(1),
  usage: z.object({ prompt_tokens: z.number().optional() }).nullable().optional(),
});

export interface RewardRequest {
  messages: ChatMessage[];
  steps: number;
}

/** The pooling request for one CoT: the steps as the assistant's turn, the tag after each. */
export function rewardRequest(system: string, question: string, images: string[], steps: string[], tag: string): RewardRequest {
  return {
    messages: [
      { role: 'system', content: system },
      userMessage(question, images),
      { role: 'assistant', content: steps.map((s) => s + tag).join('') },
    ],
    steps: steps.length,
  };
}

export function rewardCall(model: string, path: string, req: RewardRequest, task: string | null = null): ServerCall<number[]> {
  return {
    path,
    fromRoot: true,
    body: { model, messages: req.messages, ...(task ? { task } : {}) },
    parse: (json, text) => parseRewards(json, text, req.steps),
    hint: (status) =>
      status === 404
        ? `no pooling API at ${path} on this server: vLLM serves one for a reward model (vllm serve MODEL --task reward); else set --reward-path`
        : null,
  };
}

/** Per-step probabilities: [P(bad), P(good)] rows give their last entry, plain numbers must be in [0, 1]. */
export function parseRewards(json: unknown, text: string, steps: number): Parsed<number[]> {
  const reply = replyOf(rewardSchema, json, text, 'pooling reply');
  const rows = reply.data[0].data;
  const scores = rows.map((x) => (Array.isArray(x) ? x[x.length - 1] : x));
  if (scores.length !== steps) {
    throw new ReplyError(
      'incomplete',
      `the PRM returned ${scores.length} step rewards for ${steps} steps: does a step contain the step tag, or does the model put it elsewhere (--step-tag)?`,
      false,
    );
  }
  if (scores.some((p) => p === undefined || !(p >= 0 && p <= 1))) {
    throw new ReplyError('incomplete', `step rewards must be probabilities in [0, 1], got ${snippet(JSON.stringify(rows))}`, false);
  }
  return { value: scores as number[], promptTokens: reply.usage?.prompt_tokens ?? 0, completionTokens: 0 };
}
