/**
 * What the papers report, shown beside the demo's figures (best-of-N accuracy, %). The demo's
 * sample is synthetic and its PRM small: compare the shape (who beats whom, how much of the
 * gap to the oracle is closed), not the numbers.
 */
export interface PaperRow {
  source: string;
  setting: string;
  figures: Record<string, number>;
}

export const PAPER_FIGURES: readonly PaperRow[] = [
  {
    source: 'DreamPRM (InternVL-2.5-8B-MPO, best-of-8)',
    setting: 'mean of WeMath, MathVista, MathVision, MMVet, MMStar',
    figures: { 'self-consistency': 52.2, DreamPRM: 54.4 },
  },
  {
    source: 'DreamPRM (o4-mini), MathVista',
    setting: 'single answer, majority of 8, DreamPRM',
    figures: { 'pass@1': 80.6, 'self-consistency': 81.7, DreamPRM: 85.2 },
  },
  {
    source: 'DreamPRM-1.5 (GPT-5-mini), MMMU, 8 candidates',
    setting: 'base, majority, vanilla PRM, instance table, instance net, oracle',
    figures: { 'pass@1': 80.0, 'self-consistency': 81.4, 'vanilla PRM': 79.1, 'instance table': 84.6, 'instance net': 83.6, oracle: 90.7 },
  },
];
