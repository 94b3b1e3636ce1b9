import type { ImportFormat } from '../types';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['dreamprm-train', 'dreamprm-meta', 'visualprm', 'jsonl'];

/** The format a record's keys identify, or undefined when they fit none. */
export function formatOfRecord(record: unknown): ImportFormat | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const has = (k: string) => k in record;
  if (has('conversations')) return 'visualprm';
  if (has('sid') && has('add')) return 'dreamprm-train';
  if (has('true_false') && has('input')) return 'dreamprm-meta';
  if (has('steps') && (has('qid') || has('question'))) return 'jsonl';
  return undefined;
}

/** Describes a record's keys for error messages: "fields a, b, c". */
export function keysOf(record: unknown): string {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'no fields';
  const keys = Object.keys(record);
  if (!keys.length) return 'no fields';
  const shown = keys.slice(0, 8).join(', ');
  return `fields ${shown}${keys.length > 8 ? ', ...' : ''}`;
}
