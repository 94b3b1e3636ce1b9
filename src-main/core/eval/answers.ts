/**
 * Normalises a final answer for comparison and majority voting: case, spacing, a leading
 * "answer:" and trailing punctuation do not matter; numbers compare by value; a multiple-choice
 * answer like "(B)" or "B." is its letter.
 */
export function normaliseAnswer(raw: string | null | undefined): string {
  if (raw == null) return '';
  let s = raw.trim().toLowerCase();
  s = s.replace(/^(final\s+)?answer\s*[:：]?\s*/, '');
  s = s.replace(/[\s.。,;!]+$/, '').trim();
  s = s.replace(/\s+/g, ' ');
  const letter = /^\(?([a-z])\)?$/.exec(s);
  if (letter) return letter[1];
  const num = s.replace(/,/g, '');
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?%?$/.test(num)) {
    const value = Number(num.replace('%', ''));
    if (Number.isFinite(value)) return String(Number(value.toPrecision(12))) + (num.endsWith('%') ? '%' : '');
  }
  return s;
}
