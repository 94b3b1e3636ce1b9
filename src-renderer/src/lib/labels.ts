/** How PRM scores and step labels look: one colour scale and one wording everywhere. */
import type { LabelledStep } from '../../../src-main/core/api/types';

/** A score p in [0,1] as a background from red (0) through amber to green (1), and a border. */
export function scoreColour(p: number): { background: string; border: string } {
  const x = Math.max(0, Math.min(1, Number.isFinite(p) ? p : 0));
  const hue = Math.round(120 * x);
  return { background: `hsl(${hue} 70% 86%)`, border: `hsl(${hue} 55% 38%)` };
}

export interface LabelText {
  kind: 'human' | 'monte-carlo' | 'dataset' | 'none';
  text: string;
  title: string;
}

const sign = (v: number): string => (v >= 0.5 ? '+' : '−');

/** The labels a step carries, the one training uses first (a human label over m). */
export function stepLabels(s: LabelledStep): LabelText[] {
  const out: LabelText[] = [];
  if (s.human !== null) {
    const who = s.humanBy ? ` by ${s.humanBy}` : '';
    const when = s.humanAt ? ` on ${s.humanAt.slice(0, 16).replace('T', ' ')}` : '';
    out.push({ kind: 'human', text: `human ${sign(s.human)}`, title: `human label${who}${when}; training uses it instead of m` });
  }
  if (s.mc !== null) {
    if (s.k !== null) {
      out.push({ kind: 'monte-carlo', text: `m ${s.mc.toFixed(2)} · k ${s.k}`, title: `Monte Carlo label: ${Math.round(s.mc * s.k)} of ${s.k} rollouts reached the answer` });
    } else {
      const binary = s.mc === 0 || s.mc === 1;
      out.push({ kind: 'dataset', text: binary ? `label ${sign(s.mc)}` : `label ${s.mc.toFixed(2)}`, title: 'label from the dataset (no rollout count)' });
    }
  }
  if (!out.length) out.push({ kind: 'none', text: 'no label', title: 'this step has no label' });
  return out;
}
