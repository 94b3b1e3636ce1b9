import type { Command } from 'commander';
import { runBench, type BenchResult } from '../core/bench/bench';
import { demoTrainers } from './demo-command';
import { log, runAction, withCommon, type CommonOptions } from './common';
import { table } from './eval-command';
import { BACKEND_HELP, parseBackend } from './train-command';

/** The targets of the performance issue, beside each measured number. */
const TARGETS: [keyof BenchResult | string, string, (r: BenchResult) => number | null, (x: number) => boolean][] = [
  ['trainGflops', '≥ 30', (r) => r.trainGflops, (x) => x >= 30],
  ['instanceTableScale', '≤ 1.1', (r) => r.instanceTableScale, (x) => x <= 1.1],
  ['importStepsPerSec', '≥ 20,000', (r) => r.importStepsPerSec, (x) => x >= 20_000],
  ['snapshotMs', '≤ 1,000', (r) => r.snapshotMs, (x) => x <= 1000],
  ['weightPageMs', '≤ 20', (r) => r.weightPageMs, (x) => x <= 20],
  ['demoSeconds', '≤ 180', (r) => r.demoSeconds, (x) => x <= 180],
];

export function register(program: Command): void {
  withCommon(
    program
      .command('bench')
      .description('measure the active backend: matMul and training GFLOP/s, step time per method, bi-level overhead, scale, import, snapshot, the demo')
      .option('--quick', 'fewer repetitions, a 200,000-step import, no demo run')
      .option('--backend <name>', BACKEND_HELP, 'auto'),
  ).action((opts: CommonOptions & { quick?: boolean; backend?: string }) =>
    runAction(
      { ...opts, db: ':memory:' },
      () => {
        const backend = parseBackend(opts.backend);
        return runBench({ quick: opts.quick, log, backend, demoTrainers: demoTrainers(2) });
      },
      renderBench,
    ),
  );
}

export function renderBench(r: BenchResult): string {
  const ok = (b: boolean) => (b ? 'met' : 'MISSED');
  const lines = [
    `backend ${r.backend} ${r.versions.backend} (${r.threads} thread(s)), tfjs ${r.versions.tfjs}, node ${r.versions.node}; ${r.seconds} s`,
    `device ${r.device}`,
    ...(r.fallback ? [`fallback: ${r.fallback}`] : []),
    '',
    table([['matMul (default PRM shapes)', 'GFLOP/s'], ...r.matmulGflops.map((m) => [m.shape, m.gflops.toFixed(1)])]),
    '',
    table([
      ['step', 'ms', 'overhead', 'target'],
      ...Object.entries(r.stepMs).map(([k, ms]) => {
        const o: number | undefined = r.overhead[k];
        const target = k.endsWith('@5') ? 1.4 : 2.7;
        return [k, ms.toFixed(1), o == null ? '' : o.toFixed(2), o == null ? '' : `≤ ${target} ${ok(o <= target)}`];
      }),
    ]),
    '',
    table([
      ['figure', 'value', 'target'],
      ...TARGETS.map(([name, target, get, pass]) => {
        const v = get(r);
        return [String(name), v == null ? 'not run' : String(v), v == null ? target : `${target} ${ok(pass(v))}`];
      }),
    ]),
  ];
  return lines.join('\n');
}
