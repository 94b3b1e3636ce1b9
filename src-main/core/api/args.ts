/**
 * Checks of the arguments that arrive over IPC or HTTP: the renderer is not trusted to send
 * well-formed values, and a bad one must fail with a sentence naming the field.
 */
import { z } from 'zod';
import { NotFoundError, UserError } from '../errors';
import { POOLS } from '../types';

// Defined beside UserError, so that the core's modules need not import the API layer for it.
export { NotFoundError };

export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const pool = z.enum(POOLS as unknown as ['train', 'meta', 'test']);
export const jobId = z.string().max(100).optional();

export function parseArgs<T>(method: string, schema: z.ZodType<T>, args: unknown): T {
  const r = schema.safeParse(args ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`);
  throw new UserError(`${method}: ${issues.join('; ')}`);
}
