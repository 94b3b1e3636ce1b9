/**
 * Before/after report for our kernels, in one process:
 *   node --import tsx src-main/core/bench/run-microbench.ts [--quick] [--json]
 * "stock" = tfjs 4.22's own kernels; "fast" = ours (register.ts). Stock and fast runs
 * alternate for several rounds and each figure is the median over rounds of per-round
 * medians, so load from other processes hits both sides alike. On wasm the stock backend has
 * no UnsortedSegmentSum, so the stock PRM-like step runs with only that one of ours (its
 * AdamW then runs as tf ops, adamwUpdate's fallback, as a hand-written AdamW would).
 * XNNPACK caches packed weights per tensor: the plain (non-transposed) matMul rows reuse B
 * across repetitions, as inference would; in training the weights change every step.
 */
import * as tf from '@tensorflow/tfjs';
import { prmLikeStep, type PrmLikeConfig } from './bench-model';
import {
  allTransposes,
  denseLayerShapes,
  describeMatmul,
  median,
  microbenchGather,
  microbenchMatmul,
  microbenchSegmentSum,
  profileKernels,
  timeOp,
  timeSteps,
  type BenchOptions,
  type KernelCost,
  type MatmulShape,
} from './microbench';
import { registerFastKernels } from '../engine/backend/register';
import { initBackend } from '../engine/backend/select';

const MATMUL_SHAPES: MatmulShape[] = [
  ...denseLayerShapes(64 * 36, 192, 64),
  ...allTransposes(4096, 64, 64),
  { batch: 64, m: 36, k: 192, n: 64, sharedB: true },
  { batch: 64, m: 36, k: 192, n: 64, sharedB: true, transposeA: true },
  { batch: 16, m: 64, k: 64, n: 64 },
  { m: 1024, k: 1024, n: 1024 },
];

type Side = 'stock' | 'fast';

interface Round {
  matmulMs: number[];
  gatherMs: number;
  transposeMs: number;
  stepMs: number;
  stepMs65k: number;
  segmentMs: number | null;
}

async function transposeMs(opts: BenchOptions): Promise<number> {
  const x = tf.randomUniform([2304, 192]);
  try {
    return await timeOp(() => tf.transpose(x), opts);
  } finally {
    x.dispose();
  }
}

async function stepMs(cfg: Partial<PrmLikeConfig>, opts: BenchOptions): Promise<number> {
  const m = prmLikeStep(cfg);
  try {
    return (await timeSteps(m.step, opts)).medianMs;
  } finally {
    m.dispose();
  }
}

async function topKernels(cfg: Partial<PrmLikeConfig>): Promise<KernelCost[]> {
  const m = prmLikeStep(cfg);
  try {
    await timeSteps(m.step, { reps: 3 });
    return (await profileKernels(m.step)).slice(0, 8);
  } finally {
    m.dispose();
  }
}

async function wasmRound(side: Side, opts: BenchOptions): Promise<Round> {
  await initBackend('wasm', { fastKernels: side === 'fast' });
  if (side === 'stock') registerFastKernels('wasm', ['UnsortedSegmentSum']);
  const mm = await microbenchMatmul(MATMUL_SHAPES, opts);
  return {
    matmulMs: mm.map((r) => r.ms),
    gatherMs: (await microbenchGather(3072, 64, 4096, opts)).ms,
    transposeMs: await transposeMs(opts),
    stepMs: await stepMs({}, opts),
    stepMs65k: await stepMs({ vocab: 65536 }, opts),
    segmentMs: side === 'fast' ? (await microbenchSegmentSum(8192, 64, 65536, opts)).ms : null,
  };
}

const flops = (s: MatmulShape) => 2 * (s.batch ?? 1) * s.m * s.k * s.n;

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const json = process.argv.includes('--json');
  const opts: BenchOptions = { reps: quick ? 5 : 11, budgetMs: quick ? 1000 : 2500 };
  const rounds = quick ? 1 : 3;
  const say = (s: string) => {
    if (!json) console.log(s);
  };

  const wasm: Record<Side, Round[]> = { stock: [], fast: [] };
  for (let r = 0; r < rounds; r++) {
    for (const side of ['stock', 'fast'] as const) {
      say(`round ${r + 1}/${rounds}: wasm ${side}`);
      wasm[side].push(await wasmRound(side, opts));
    }
  }
  const med = (side: Side, f: (x: Round) => number) => median(wasm[side].map(f));
  await initBackend('wasm', { fastKernels: false });
  registerFastKernels('wasm', ['UnsortedSegmentSum']);
  const stockKernels = await topKernels({});
  const info = await initBackend('wasm');
  const fastKernels = await topKernels({});

  // cpu: the stock UnsortedSegmentSum is O(segments × elements), so it runs at 256 segments only.
  await initBackend('cpu', { fastKernels: false });
  const cpuStock = {
    matmul: await microbenchMatmul(denseLayerShapes(64 * 36, 192, 64), { reps: 3 }),
    segment256Ms: (await microbenchSegmentSum(8192, 64, 256, { reps: 1, warmup: 0 })).ms,
    gatherMs: (await microbenchGather(3072, 64, 4096, opts)).ms,
  };
  await initBackend('cpu');
  const cpuFast = {
    segment256Ms: (await microbenchSegmentSum(8192, 64, 256, opts)).ms,
    segment65kMs: (await microbenchSegmentSum(8192, 64, 65536, opts)).ms,
    gatherMs: (await microbenchGather(3072, 64, 4096, opts)).ms,
    stepMs: await stepMs({}, { reps: 3, warmup: 1 }),
  };
  await initBackend('wasm');

  const matmul = MATMUL_SHAPES.map((s, i) => {
    const st = med('stock', (x) => x.matmulMs[i]);
    const fa = med('fast', (x) => x.matmulMs[i]);
    return { shape: describeMatmul(s), stockGflops: flops(s) / (st * 1e6), fastGflops: flops(s) / (fa * 1e6) };
  });
  const stepFlops = prmLikeStep({});
  stepFlops.dispose();
  const report = {
    backend: info,
    rounds,
    loadAverage: (await import('node:os')).loadavg(),
    wasm: {
      matmul,
      segmentSum8192x64to65536Ms: { stock: 'missing (throws)', fast: med('fast', (x) => x.segmentMs ?? NaN) },
      gather3072of4096x64Ms: { stock: med('stock', (x) => x.gatherMs), fast: med('fast', (x) => x.gatherMs) },
      transpose2304x192Ms: { stock: med('stock', (x) => x.transposeMs), fast: med('fast', (x) => x.transposeMs) },
      prmLikeStepMs: { stock: med('stock', (x) => x.stepMs), fast: med('fast', (x) => x.stepMs) },
      prmLikeStepMsVocab65536: { stock: med('stock', (x) => x.stepMs65k), fast: med('fast', (x) => x.stepMs65k) },
      prmLikeMatmulFlops: stepFlops.matmulFlops,
      topKernels: { stock: stockKernels, fast: fastKernels },
    },
    cpu: { stock: cpuStock, fast: cpuFast },
  };
  if (json) console.log(JSON.stringify(report, null, 2));
  else printReport(report, cpuStock, cpuFast);
}

type Report = {
  rounds: number;
  loadAverage: number[];
  wasm: {
    matmul: { shape: string; stockGflops: number; fastGflops: number }[];
    segmentSum8192x64to65536Ms: { fast: number };
    gather3072of4096x64Ms: Record<Side, number>;
    transpose2304x192Ms: Record<Side, number>;
    prmLikeStepMs: Record<Side, number>;
    prmLikeStepMsVocab65536: Record<Side, number>;
    prmLikeMatmulFlops: number;
    topKernels: Record<Side, KernelCost[]>;
  };
};

/** The human-readable tables of the report (--json prints the object instead). */
function printReport(
  report: Report,
  cpuStock: { matmul: { shape: string; gflops: number }[]; segment256Ms: number; gatherMs: number },
  cpuFast: { segment256Ms: number; segment65kMs: number; gatherMs: number; stepMs: number },
): void {
  const say = (line: string) => console.log(line);
  const rounds = report.rounds;
  const f2 = (x: number) => x.toFixed(2);
  say(`\nload average ${report.loadAverage.map((x) => x.toFixed(1)).join(' ')}; ${rounds} round(s)`);
  say('\n| wasm matMul | stock GFLOP/s | fast GFLOP/s |\n|---|---:|---:|');
  for (const r of report.wasm.matmul) say(`| ${r.shape} | ${f2(r.stockGflops)} | ${f2(r.fastGflops)} |`);
  const w = report.wasm;
  say('\n| wasm | stock ms | fast ms |\n|---|---:|---:|');
  say(`| UnsortedSegmentSum [8192,64]→[65536,64] | missing | ${f2(w.segmentSum8192x64to65536Ms.fast)} |`);
  say(`| GatherV2 3072 rows of [4096,64] | ${f2(w.gather3072of4096x64Ms.stock)} | ${f2(w.gather3072of4096x64Ms.fast)} |`);
  say(`| Transpose [2304,192] | ${f2(w.transpose2304x192Ms.stock)} | ${f2(w.transpose2304x192Ms.fast)} |`);
  say(`| PRM-like step (vocab 4096) | ${f2(w.prmLikeStepMs.stock)} | ${f2(w.prmLikeStepMs.fast)} |`);
  say(`| PRM-like step (vocab 65536) | ${f2(w.prmLikeStepMsVocab65536.stock)} | ${f2(w.prmLikeStepMsVocab65536.fast)} |`);
  say(`\nPRM-like step matMul FLOPs ${(w.prmLikeMatmulFlops / 1e6).toFixed(1)} M → ${f2(w.prmLikeMatmulFlops / (w.prmLikeStepMs.fast * 1e6))} GFLOP/s fast, ${f2(w.prmLikeMatmulFlops / (w.prmLikeStepMs.stock * 1e6))} stock`);
  for (const side of ['stock', 'fast'] as const) {
    say(`\ntop kernels, wasm ${side}: ` + w.topKernels[side].map((k) => `${k.kernel} ${f2(k.ms)} ms ×${k.calls}`).join('; '));
  }
  say(`\ncpu: matMul ${cpuStock.matmul.map((r) => `${r.shape} ${f2(r.gflops)}`).join('; ')} GFLOP/s (stock, not replaced)`);
  say(`cpu: UnsortedSegmentSum [8192,64]→[256,64] stock ${cpuStock.segment256Ms.toFixed(0)} ms, fast ${f2(cpuFast.segment256Ms)} ms; →[65536,64] fast ${f2(cpuFast.segment65kMs)} ms`);
  say(`cpu: GatherV2 stock ${f2(cpuStock.gatherMs)} ms, fast ${f2(cpuFast.gatherMs)} ms; PRM-like step (fast) ${f2(cpuFast.stepMs)} ms`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
