import type { RecordGroup } from '../types';

/** A group lists this many record numbers: enough to find the first few, not a flood. */
export const FIRST_RECORDS = 5;

/**
 * Counts records by reason and keeps the first few record numbers of each, in memory bounded
 * by the number of distinct reasons (a million bad records of one kind are one group).
 */
export class RecordTally {
  private readonly groups = new Map<string, RecordGroup>();

  add(reason: string, record: number, count = 1): void {
    let g = this.groups.get(reason);
    if (!g) {
      g = { reason, count: 0, first: [] };
      this.groups.set(reason, g);
    }
    g.count += count;
    if (g.first.length < FIRST_RECORDS && !g.first.includes(record)) {
      g.first.push(record);
      g.first.sort((a, b) => a - b);
    }
  }

  /** A group counted elsewhere (the conflicts), merged in with its first records. */
  addGroup(reason: string, count: number, first: number[]): void {
    first.forEach((r, i) => this.add(reason, r, i === 0 ? count : 0));
  }

  get total(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.count;
    return n;
  }

  /** The biggest groups first; ties by reason, so the order does not depend on batching. */
  list(): RecordGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  }
}

/**
 * The reason of one field error, without the values that differ from record to record, so
 * that records with the same fault fall into one group: `steps[2].m: m must be in [0, 1], got
 * 1.5` → `steps[].m: m must be in [0, 1]`.
 */
export function reasonOf(field: string, message: string): string {
  const shape = field.replace(/\[\d+\]/g, '[]');
  const what = message
    .replace(/,? got .*$/s, '')
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\brecords? \d+(?: and \d+)?/g, 'record …')
    .replace(/\bsid \d+/g, 'sid …');
  return `${shape}: ${what}`;
}
