/**
 * Word-level tokeniser: lower-cased words, numbers and single punctuation marks are tokens.
 * The vocabulary is built from the run's training corpus and stored with the run, so scoring
 * later maps text to the same ids.
 */
export const PAD = 0;
export const UNK = 1;
/** an out-of-vocabulary number: keeps "this is a number" even when the value is unknown */
export const NUM = 2;
const SPECIALS = ['<pad>', '<unk>', '<num>'];

const TOKEN_RE = /\d+(?:[.,]\d+)*|[\p{L}\p{M}]+|[^\s\p{L}\p{M}\d]/gu;
const NUMBER_RE = /^\d/;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN_RE) ?? [];
}

export interface VocabularyJson {
  tokens: string[];
}

export class Vocabulary {
  private readonly index = new Map<string, number>();

  constructor(readonly tokens: readonly string[]) {
    tokens.forEach((t, i) => this.index.set(t, i));
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Most frequent tokens first (ties alphabetical, so the result is deterministic). */
  static build(texts: Iterable<string>, maxSize: number): Vocabulary {
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const words = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, Math.max(0, maxSize - SPECIALS.length))
      .map(([t]) => t);
    return new Vocabulary([...SPECIALS, ...words]);
  }

  static fromJson(j: VocabularyJson): Vocabulary {
    return new Vocabulary(j.tokens);
  }

  toJson(): VocabularyJson {
    return { tokens: [...this.tokens] };
  }

  id(token: string): number {
    return this.index.get(token) ?? (NUMBER_RE.test(token) ? NUM : UNK);
  }

  /** Writes up to `max` ids of `text` into out[offset..offset+max), padding with PAD. */
  encodeInto(text: string, out: Int32Array, offset: number, max: number): number {
    const toks = tokenize(text);
    const n = Math.min(max, toks.length);
    for (let i = 0; i < n; i++) out[offset + i] = this.id(toks[i]);
    for (let i = n; i < max; i++) out[offset + i] = PAD;
    return n;
  }
}
