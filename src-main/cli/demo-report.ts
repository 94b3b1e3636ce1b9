import { PAPER_FIGURES } from '../core/demo/papers';
import { DEMO_RUN_LABELS, DEMO_RUNS, type DemoResult } from '../core/demo/demo';
import { SELECTION_MODES } from '../core/eval/selection';
import { table } from './eval-command';

const f1 = (x: number | null | undefined) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(1));
const f2 = (x: number | null | undefined) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(2));
const SHORT: Record<string, string> = {
  'uniform-continued': 'uniform+',
  'instance-table': 'inst-table',
  'instance-net': 'inst-net',
  'sanity-check': 'sanity*',
};
const short = (k: string) => SHORT[k] ?? k;

/** The demo's printout: every table a reader of the papers would look for, side by side. */
export function renderDemo(r: DemoResult): string {
  const cols = ['pass@1', 'majority', 'oracle', ...DEMO_RUNS];
  const groups = ['average', ...r.groups.benchmarks, ...r.groups.tasks.map((t) => t)];
  const accuracy = table([
    ['', ...cols.map(short)],
    ...groups.map((g) => [r.groups.tasks.includes(g) ? `task ${g}` : g, ...cols.map((c) => f1(r.table[g][c]))]),
  ]);
  const modes = table([['average by selection', ...DEMO_RUNS.map(short)], ...SELECTION_MODES.map((m) => [m, ...DEMO_RUNS.map((k) => f1(r.modes[k][m]))])]);
  const auroc = table([
    ['step AUROC', ...DEMO_RUNS.map(short)],
    ...['average', ...r.groups.tasks].map((g) => [g === 'average' ? 'average' : `task ${g}`, ...DEMO_RUNS.map((k) => f2(r.auroc[k][g]))]),
  ]);
  const byN = table([['N', ...r.byN.n.map(String)], ...Object.entries(r.byN.curves).map(([k, c]) => [short(k), ...c.map(f1)])]);
  const domains = Object.keys(r.truthQuality).sort((a, b) => r.truthQuality[b] - r.truthQuality[a]);
  const spread = (k: 'instance-table' | 'instance-net') => {
    const s = r.instanceSpread[k];
    const rho = r.instanceTruth[k];
    const truth = rho === null ? '' : `, Spearman with the CoT's corrupted-label share ${rho}`;
    return s ? `${k} weights: 5% ${s.p5}, median ${s.p50}, 95% ${s.p95}${truth}` : `${k}: no snapshot`;
  };
  return [
    `DreamPRM demo, seed ${r.seed}: best-of-8 accuracy (%) on the test pool, ${r.selection} over ${r.agg} scores ` +
      '(the default selection, fixed before any test result)',
    accuracy,
    `* ${DEMO_RUN_LABELS['sanity-check']}; uniform+ = ${DEMO_RUN_LABELS['uniform-continued']}`,
    `gain over uniform+ (equal compute, ${r.steps.continued} steps from the same cold start): ` +
      Object.entries(r.gains).map(([k, g]) => `${k} ${g >= 0 ? '+' : ''}${g.toFixed(1)}`).join(', '),
    '',
    modes,
    '',
    byN,
    '',
    auroc,
    '',
    `learned domain weights (domain run ${r.runs.domain.runId}) beside true label quality: Spearman ${r.spearman ?? '—'}`,
    table([['domain', 'weight', 'quality'], ...domains.map((d) => [d, r.domainWeights[d].toFixed(3), r.truthQuality[d].toFixed(3)])]),
    spread('instance-table'),
    spread('instance-net'),
    '',
    'what the papers report (real models and benchmarks; compare the shape, not the numbers):',
    ...PAPER_FIGURES.map((p) => `  ${p.source} (${p.setting}): ${Object.entries(p.figures).map(([k, v]) => `${k} ${v}`).join(', ')}`),
    '',
    `runs: ${DEMO_RUNS.map((k) => `${k} ${r.runs[k].runId} (${r.runs[k].seconds.toFixed(0)} s)`).join(', ')}`,
    `wall time ${r.seconds.toFixed(0)} s on the ${r.backend} backend${r.device ? ` (${r.device})` : ''}; open them in the app: npm start, or dreamprm serve`,
  ].join('\n');
}
