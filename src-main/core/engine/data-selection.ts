import type { CotTable } from './cot-table';
import type { Rng } from './rng';

/**
 * The DreamPRM paper's data-selection baselines: pick a subset of the training instances by a
 * heuristic, then train the PRM uniformly on it. Both keep `keep` of the instances (a share),
 * so that they differ from a uniform run only in which data they train on.
 */

export interface SelectionSettings {
  /** share of the training instances kept */
  keep: number;
  /** CaR: clusters of similar instances */
  clusters: number;
}

/**
 * s1-style filter (after s1's quality, difficulty and diversity filters, as DreamPRM applies
 * it to PRM data): keep instances that are informative — at least one step label strictly
 * between 0 and 1, i.e. rollouts disagreed — whose length (tokens over all steps) lies between
 * the 10th and 90th percentile, then draw the budget evenly across (domain, step count) groups
 * so that no one kind of instance dominates.
 */
export function selectS1(t: CotTable, s: SelectionSettings, rng: Rng): Int32Array {
  const lengths = Array.from({ length: t.n }, (_, i) => instanceTokens(t, i));
  const sorted = [...lengths].sort((a, b) => a - b);
  const lo = sorted[Math.floor(0.1 * (t.n - 1))];
  const hi = sorted[Math.ceil(0.9 * (t.n - 1))];
  const groups = new Map<string, number[]>();
  for (let i = 0; i < t.n; i++) {
    if (!informative(t, i) || lengths[i] < lo || lengths[i] > hi) continue;
    const key = `${t.domain[i]}:${t.nSteps[i]}`;
    const g = groups.get(key) ?? [];
    g.push(i);
    groups.set(key, g);
  }
  for (const g of groups.values()) rng.shuffle(g);
  return roundRobin([...groups.values()], budget(t.n, s.keep));
}

/**
 * CaR-style cluster and rank: score every instance's quality, cluster the instances by what
 * they say, and keep the best `keep` share of each cluster (quality with diversity). Quality
 * is how well the instance's labels agree with the PRM the run starts from (minus its loss
 * there): CaR ranks by a trained scorer, and the cold-start PRM is the one at hand.
 */
export function selectCaR(t: CotTable, losses: Float32Array, s: SelectionSettings, rng: Rng): Int32Array {
  const features = Array.from({ length: t.n }, (_, i) => wordProfile(t, i));
  const cluster = kMeans(features, Math.min(s.clusters, t.n), rng);
  const members: number[][] = Array.from({ length: Math.max(...cluster) + 1 }, () => []);
  cluster.forEach((c, i) => members[c].push(i));
  const kept: number[] = [];
  for (const m of members) {
    m.sort((a, b) => losses[a] - losses[b] || a - b);
    kept.push(...m.slice(0, Math.max(1, Math.round(m.length * s.keep))));
  }
  return Int32Array.from(kept.sort((a, b) => a - b));
}

const budget = (n: number, keep: number) => Math.max(1, Math.round(n * keep));

function informative(t: CotTable, i: number): boolean {
  for (let j = 0; j < t.nSteps[i]; j++) {
    const row = i * t.T + j;
    if (t.labelMask[row] && t.labels[row] > 0 && t.labels[row] < 1) return true;
  }
  return false;
}

function instanceTokens(t: CotTable, i: number): number {
  let n = 0;
  for (let k = i * t.T * t.L; k < (i + 1) * t.T * t.L; k++) if (t.stepTokens[k] !== 0) n++;
  return n;
}

/** Takes one instance from each group in turn until the budget is spent (sorted indices). */
function roundRobin(groups: number[][], want: number): Int32Array {
  const out: number[] = [];
  for (let r = 0; out.length < want && groups.some((g) => r < g.length); r++) {
    for (const g of groups) if (r < g.length && out.length < want) out.push(g[r]);
  }
  return Int32Array.from(out.sort((a, b) => a - b));
}

/** Unit-length word counts of an instance's steps, sparse as id → weight. */
function wordProfile(t: CotTable, i: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let k = i * t.T * t.L; k < (i + 1) * t.T * t.L; k++) {
    const id = t.stepTokens[k];
    if (id !== 0) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  let norm = 0;
  for (const v of counts.values()) norm += v * v;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (const [k, v] of counts) counts.set(k, v * scale);
  return counts;
}

/** Spherical k-means (cosine similarity) with seeded k-means++ starts; returns each point's cluster. */
function kMeans(points: Map<number, number>[], k: number, rng: Rng, iterations = 10): number[] {
  const dims = 1 + Math.max(0, ...points.flatMap((p) => [...p.keys()]));
  const centres = seedCentres(points, k, dims, rng);
  const assign = new Array<number>(points.length).fill(0);
  for (let it = 0; it < iterations; it++) {
    points.forEach((p, i) => (assign[i] = nearest(p, centres)));
    const sums = centres.map(() => new Float64Array(dims));
    points.forEach((p, i) => {
      for (const [d, v] of p) sums[assign[i]][d] += v;
    });
    sums.forEach((s, c) => {
      const norm = Math.sqrt(s.reduce((a, x) => a + x * x, 0));
      if (norm > 0) centres[c] = Float64Array.from(s, (x) => x / norm);
    });
  }
  return assign;
}

function seedCentres(points: Map<number, number>[], k: number, dims: number, rng: Rng): Float64Array[] {
  const dense = (p: Map<number, number>) => {
    const a = new Float64Array(dims);
    for (const [d, v] of p) a[d] = v;
    return a;
  };
  const centres = [dense(points[rng.int(points.length)])];
  while (centres.length < k) {
    // k-means++: the next start is drawn in proportion to its distance from the nearest one.
    const dist = points.map((p) => 1 - Math.max(...centres.map((c) => dot(p, c))));
    let r = rng.next() * dist.reduce((a, b) => a + b, 0);
    let pick = 0;
    while (pick < points.length - 1 && (r -= dist[pick]) > 0) pick++;
    centres.push(dense(points[pick]));
  }
  return centres;
}

function nearest(p: Map<number, number>, centres: Float64Array[]): number {
  let best = 0;
  let bestSim = -Infinity;
  centres.forEach((c, i) => {
    const sim = dot(p, c);
    if (sim > bestSim) {
      best = i;
      bestSim = sim;
    }
  });
  return best;
}

function dot(p: Map<number, number>, c: Float64Array): number {
  let s = 0;
  for (const [d, v] of p) s += v * c[d];
  return s;
}
