/**
 * Measurement helpers shared by `dreamprm bench` and the before/after report
 * (run-microbench.ts). Rules that keep the numbers honest on a shared machine:
 * warm up first (XNNPACK packs weights and V8 compiles on first use), time each run up to
 * `await t.data()` outside any tidy (never `tf.tidy(() => t.dataSync())`), dispose every
 * result, repeat and report the median.
 */
import * as tf from '@tensorflow/tfjs';

export interface MatmulShape {
  m: number;
  k: number;
  n: number;
  /** leading batch of both operands (default 1: plain 2-D matMul) */
  batch?: number;
  transposeA?: boolean;
  transposeB?: boolean;
  /** B shared by all batches ([k,n] instead of [batch,k,n]) */
  sharedB?: boolean;
}

export interface MatmulResult {
  shape: string;
  gflops: number;
  ms: number;
}

export interface BenchOptions {
  /** timed runs (median reported); default 15 */
  reps?: number;
  warmup?: number;
  /** stop repeating once this much time was spent (slow stock kernels); default 3000 ms */
  budgetMs?: number;
}

export function describeMatmul(s: MatmulShape): string {
  const tA = s.transposeA ? 'ᵀ' : '';
  const tB = s.transposeB ? 'ᵀ' : '';
  const bA = s.batch && s.batch > 1 ? `${s.batch}×` : '';
  const bB = s.batch && s.batch > 1 && !s.sharedB ? `${s.batch}×` : '';
  return `${bA}[${s.m},${s.k}]${tA}·${bB}[${s.k},${s.n}]${tB}`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Median wall time of `run` (which returns the tensor to wait for), in ms. */
export async function timeOp(run: () => tf.Tensor, opts: BenchOptions = {}): Promise<number> {
  const reps = opts.reps ?? 15;
  const budget = opts.budgetMs ?? 3000;
  for (let i = 0; i < (opts.warmup ?? 2); i++) {
    const t = run();
    await t.data();
    t.dispose();
  }
  const times: number[] = [];
  const start = performance.now();
  while (times.length < reps && (times.length < 3 || performance.now() - start < budget)) {
    const t0 = performance.now();
    const t = run();
    await t.data();
    times.push(performance.now() - t0);
    t.dispose();
  }
  return median(times);
}

/** GFLOP/s of tf.matMul on the active backend for each shape (2·m·k·n per product). */
export async function microbenchMatmul(shapes: MatmulShape[], opts: BenchOptions = {}): Promise<MatmulResult[]> {
  const out: MatmulResult[] = [];
  for (const s of shapes) {
    const batch = s.batch ?? 1;
    const lead = batch > 1 ? [batch] : [];
    const a = tf.randomUniform([...lead, ...(s.transposeA ? [s.k, s.m] : [s.m, s.k])], -1, 1, 'float32', 1);
    const bLead = s.sharedB ? [] : lead;
    const b = tf.randomUniform([...bLead, ...(s.transposeB ? [s.n, s.k] : [s.k, s.n])], -1, 1, 'float32', 2);
    try {
      const ms = await timeOp(() => tf.matMul(a, b, s.transposeA, s.transposeB), opts);
      out.push({ shape: describeMatmul(s), ms, gflops: (2 * batch * s.m * s.k * s.n) / (ms * 1e6) });
    } finally {
      a.dispose();
      b.dispose();
    }
  }
  return out;
}

/** The three products of one dense layer x[m,k]·W[k,n]: forward, dX = dY·Wᵀ, dW = xᵀ·dY. */
export function denseLayerShapes(m: number, k: number, n: number): MatmulShape[] {
  return [
    { m, k, n },
    { m, k: n, n: k, transposeB: true },
    { m: k, k: m, n, transposeA: true },
  ];
}

/** The four transpose combinations of one product. */
export function allTransposes(m: number, k: number, n: number): MatmulShape[] {
  return [false, true].flatMap((transposeA) => [false, true].map((transposeB) => ({ m, k, n, transposeA, transposeB })));
}

export interface SegmentSumResult {
  shape: string;
  ms: number;
  /** input elements scattered per second, in millions */
  melemsPerSec: number;
}

/** unsortedSegmentSum of [rows, width] into numSegments segments (an embedding gradient). */
export async function microbenchSegmentSum(rows: number, width: number, numSegments: number, opts: BenchOptions = {}): Promise<SegmentSumResult> {
  const x = tf.randomUniform([rows, width], -1, 1, 'float32', 3);
  const ids = tf.randomUniform([rows], 0, numSegments, 'int32', 4) as tf.Tensor1D;
  try {
    const ms = await timeOp(() => tf.unsortedSegmentSum(x, ids, numSegments), opts);
    return { shape: `[${rows},${width}]→[${numSegments},${width}]`, ms, melemsPerSec: (rows * width) / (ms * 1e3) };
  } finally {
    x.dispose();
    ids.dispose();
  }
}

/** tf.gather of `rows` random rows from a [vocab, width] table (an embedding lookup). */
export async function microbenchGather(rows: number, width: number, vocab: number, opts: BenchOptions = {}): Promise<SegmentSumResult> {
  const table = tf.randomUniform([vocab, width], -1, 1, 'float32', 5);
  const ids = tf.randomUniform([rows], 0, vocab, 'int32', 6) as tf.Tensor1D;
  try {
    const ms = await timeOp(() => tf.gather(table, ids), opts);
    return { shape: `[${vocab},${width}][${rows}]`, ms, melemsPerSec: (rows * width) / (ms * 1e3) };
  } finally {
    table.dispose();
    ids.dispose();
  }
}

export interface StepTiming {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

/**
 * Times a training step. `step` returns the tensor(s) whose values end the step (e.g. the
 * loss); they are awaited, then disposed by this helper.
 */
export async function timeSteps(
  step: () => tf.Tensor | tf.Tensor[] | void | Promise<tf.Tensor | tf.Tensor[] | void>,
  opts: BenchOptions = {},
): Promise<StepTiming> {
  const once = async () => {
    const r = await step();
    const ts = r ? (Array.isArray(r) ? r : [r]) : [];
    for (const t of ts) await t.data();
    tf.dispose(ts);
  };
  for (let i = 0; i < (opts.warmup ?? 2); i++) await once();
  const reps = opts.reps ?? 15;
  const budget = opts.budgetMs ?? 3000;
  const times: number[] = [];
  const start = performance.now();
  while (times.length < reps && (times.length < 3 || performance.now() - start < budget)) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs: times.length };
}

export interface KernelCost {
  kernel: string;
  ms: number;
  calls: number;
}

/** Where a step spends its time, by kernel, most expensive first (tf.profile; sync backends). */
export async function profileKernels(step: () => tf.Tensor | tf.Tensor[] | void): Promise<KernelCost[]> {
  const info = await tf.profile(() => {
    const r = step();
    return r ?? [];
  });
  tf.dispose(info.result as tf.TensorContainer);
  const byName = new Map<string, KernelCost>();
  for (const k of info.kernels) {
    const t = await k.kernelTimeMs;
    const ms = typeof t === 'number' ? t : 0;
    const c = byName.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
    c.ms += ms;
    c.calls += 1;
    byName.set(k.name, c);
  }
  return [...byName.values()].sort((a, b) => b.ms - a.ms);
}
