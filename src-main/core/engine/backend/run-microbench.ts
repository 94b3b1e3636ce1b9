/**
 * Before/after report for the fast kernels, in one process:
 *   node --import tsx src-main/core/engine/backend/run-microbench.ts [--quick] [--json]
 * "stock" = tfjs 4.22's own kernels; "fast" = ours (register.ts). On wasm the stock backend
 * has no UnsortedSegmentSum, so the stock PRM-like step runs with only that one of ours; its
 * optimizer then runs as tf ops (adamwUpdate's fallback), as a hand-written AdamW would.
 */
import * as tf from '@tensorflow/tfjs';
import { prmLikeStep, PRM_LIKE_DEFAULTS, type PrmLikeConfig } from './bench-model';
import {
  allTransposes,
  denseLayerShapes,
  microbenchGather,
  microbenchMatmul,
  microbenchSegmentSum,
  timeOp,
  profileKernels,
  timeSteps,
  type BenchOptions,
  type MatmulShape,
} from './microbench';
import { registerFastKernels, unregisterFastKernels } from './register';
import { initBackend } from './select';

const MATMUL_SHAPES: MatmulShape[] = [
  ...denseLayerShapes(64 * 36, 192, 64),
  ...allTransposes(4096, 64, 64),
  { batch: 64, m: 36, k: 192, n: 64, sharedB: true },
  { batch: 64, m: 36, k: 192, n: 64, sharedB: true, transposeA: true },
  { batch: 16, m: 64, k: 64, n: 64 },
];

interface StepReport {
  label: string;
  msPerStep: number;
  stepsPerSec: number;
  matmulGflops: number;
  topKernels: { kernel: string; ms: number; calls: number }[];
}

async function stepReport(label: string, cfg: Partial<PrmLikeConfig>, opts: BenchOptions): Promise<StepReport> {
  const m = prmLikeStep(cfg);
  try {
    const t = await timeSteps(m.step, opts);
    const prof = await profileKernels(m.step);
    return {
      label,
      msPerStep: t.medianMs,
      stepsPerSec: 1000 / t.medianMs,
      matmulGflops: m.matmulFlops / (t.medianMs * 1e6),
      topKernels: prof.slice(0, 8),
    };
  } finally {
    m.dispose();
  }
}

async function transposeMs(opts: BenchOptions): Promise<number> {
  const x = tf.randomUniform([2304, 192]);
  try {
    return await timeOp(() => tf.transpose(x), opts);
  } finally {
    x.dispose();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const json = process.argv.includes('--json');
  const opts: BenchOptions = { reps: quick ? 5 : 15, budgetMs: quick ? 1500 : 4000 };
  const log = (s: string) => {
    if (!json) console.log(s);
  };
  const report: Record<string, unknown> = {};

  // wasm, stock kernels
  await initBackend('wasm', { fastKernels: false });
  log('wasm, stock kernels: matMul');
  const stockMm = await microbenchMatmul(MATMUL_SHAPES, opts);
  const stockGather = await microbenchGather(3072, 64, 4096, opts);
  const stockTr = await transposeMs(opts);
  registerFastKernels('wasm', ['UnsortedSegmentSum']);
  const stockStep = await stepReport('wasm stock kernels (+ our UnsortedSegmentSum, absent in stock)', {}, opts);

  // wasm, all our kernels
  const info = await initBackend('wasm');
  log('wasm, fast kernels: matMul');
  const fastMm = await microbenchMatmul(MATMUL_SHAPES, opts);
  const fastSeg = await microbenchSegmentSum(8192, 64, 65536, opts);
  const fastGather = await microbenchGather(3072, 64, 4096, opts);
  const fastTr = await transposeMs(opts);
  const fastStep = await stepReport('wasm fast kernels', {}, opts);
  const bigVocab = await stepReport('wasm fast kernels, vocab 65536', { vocab: 65536 }, opts);
  report.wasm = {
    backend: info,
    matmul: stockMm.map((s, i) => ({ shape: s.shape, stockGflops: s.gflops, fastGflops: fastMm[i].gflops, stockMs: s.ms, fastMs: fastMm[i].ms })),
    segmentSum: { stock: 'kernel missing (throws)', fast: fastSeg },
    gather: { stock: stockGather, fast: fastGather },
    transpose2304x192Ms: { stock: stockTr, fast: fastTr },
    step: [stockStep, fastStep, bigVocab],
  };

  // cpu: only UnsortedSegmentSum is ours
  await initBackend('cpu', { fastKernels: false });
  const cpuMm = await microbenchMatmul(denseLayerShapes(64 * 36, 192, 64), { ...opts, reps: 3 });
  const cpuStockSeg = await microbenchSegmentSum(8192, 64, 256, { reps: 1, warmup: 0 });
  const cpuStockGather = await microbenchGather(3072, 64, 4096, opts);
  await initBackend('cpu');
  const cpuFastSeg256 = await microbenchSegmentSum(8192, 64, 256, opts);
  const cpuFastSeg = await microbenchSegmentSum(8192, 64, 65536, opts);
  const cpuFastGather = await microbenchGather(3072, 64, 4096, opts);
  const cpuStep = await stepReport('cpu, our UnsortedSegmentSum', {}, { reps: 3, budgetMs: 1 });
  report.cpu = {
    matmul: cpuMm,
    segmentSum: { stockAt256: cpuStockSeg, fastAt256: cpuFastSeg256, fastAt65536: cpuFastSeg },
    gather: { stock: cpuStockGather, fast: cpuFastGather },
    step: cpuStep,
  };
  report.prmLikeConfig = PRM_LIKE_DEFAULTS;
  unregisterFastKernels('cpu');

  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const f = (x: number) => x.toFixed(2).padStart(7);
  log('\nwasm matMul GFLOP/s          stock     fast');
  for (const r of report.wasm ? (report.wasm as { matmul: { shape: string; stockGflops: number; fastGflops: number }[] }).matmul : []) {
    log(`${r.shape.padEnd(28)}${f(r.stockGflops)}  ${f(r.fastGflops)}`);
  }
  log(`\nwasm UnsortedSegmentSum ${fastSeg.shape}: stock missing; fast ${fastSeg.ms.toFixed(2)} ms`);
  log(`cpu  UnsortedSegmentSum [8192,64]→[256,64]: stock ${cpuStockSeg.ms.toFixed(0)} ms; fast ${cpuFastSeg256.ms.toFixed(2)} ms`);
  log(`cpu  UnsortedSegmentSum ${cpuFastSeg.shape}: fast ${cpuFastSeg.ms.toFixed(2)} ms`);
  log(`wasm GatherV2 ${fastGather.shape}: stock ${stockGather.ms.toFixed(2)} ms; fast ${fastGather.ms.toFixed(2)} ms`);
  log(`cpu  GatherV2 ${cpuFastGather.shape}: stock ${cpuStockGather.ms.toFixed(2)} ms; fast ${cpuFastGather.ms.toFixed(2)} ms`);
  log(`wasm Transpose [2304,192]: stock ${stockTr.toFixed(2)} ms; fast ${fastTr.toFixed(2)} ms`);
  log(`cpu  matMul: ${cpuMm.map((r) => `${r.shape} ${r.gflops.toFixed(2)}`).join('; ')} GFLOP/s`);
  for (const s of [stockStep, fastStep, bigVocab, cpuStep]) {
    log(`\n${s.label}: ${s.msPerStep.toFixed(1)} ms/step (${s.stepsPerSec.toFixed(1)} steps/s, matMul ${s.matmulGflops.toFixed(2)} GFLOP/s)`);
    for (const k of s.topKernels) log(`  ${k.kernel.padEnd(22)} ${k.ms.toFixed(2).padStart(8)} ms  ×${k.calls}`);
  }
  tf.disposeVariables();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
