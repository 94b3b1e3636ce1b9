/**
 * Do learned instance weights follow label quality? On the built-in sample the generator knows
 * which step labels it corrupted; the corpus does not carry that, so the sample is rebuilt in
 * memory from the seed and config its truth.json records (the build is deterministic) and each
 * training CoT's share of corrupted step labels is compared with the weight a run learned for
 * it. Measured this way the instance methods' weak spread has a cause one can read off: their
 * per-instance signal, not only their learning rate (README "The main job").
 */
import { buildSample } from '../sample/build';
import { parseSampleConfig } from '../sample/config';
import type { Db } from '../store/db';
import { getInstanceWeightSnapshot, type InstanceWeightSnapshot } from '../store/run-snapshots-store';
import { mean, spearman } from './metrics';
import { findTruthFile } from './truth';

export interface InstanceTruthDomain {
  domain: string;
  instances: number;
  meanWeight: number;
  /** mean share of the domain's step labels the generator corrupted */
  corruptedShare: number;
  /** Spearman of weight with corrupted share within the domain (null: no corrupted labels) */
  spearman: number | null;
}

export interface InstanceTruth {
  truthFile: string;
  runId: number;
  step: number;
  instances: number;
  /** Spearman of weight with corrupted share over all instances: negative = noisier CoTs weigh less */
  spearman: number | null;
  domains: InstanceTruthDomain[];
}

const round4 = (x: number) => (Number.isNaN(x) ? null : Math.round(x * 10000) / 10000);

/** CoT key (domain|question|CoT id) → share of its step labels corrupted, from a rebuilt sample. */
export function corruptedShares(config: unknown, seed: number): Map<string, number> {
  const data = buildSample(parseSampleConfig(config, 'truth.json config'), seed);
  const out = new Map<string, number>();
  for (const d of data.domains) {
    if (d.pool !== 'train') continue;
    for (const c of d.cots) {
      const flags = c.corrupted ?? [];
      out.set(`${d.name}|${c.record.qid}|${c.record.cotId}`, flags.length ? flags.filter(Boolean).length / flags.length : 0);
    }
  }
  return out;
}

/** null when the database holds no sample with a rebuildable truth.json, or the run has no instances. */
export function compareInstancesWithTruth(db: Db, runId: number): InstanceTruth | null {
  return instanceTruthOf(db)(runId);
}

/**
 * A comparer for several runs of one database: the sample is rebuilt once, on first use (a
 * second or two for the built-in sample), not once per run.
 */
export function instanceTruthOf(db: Db): (runId: number) => InstanceTruth | null {
  const truth = findTruthFile(db);
  let shares: Map<string, number> | undefined;
  return (runId) => {
    if (!truth || truth.config === undefined || typeof truth.seed !== 'number') return null;
    const snap = getInstanceWeightSnapshot(db, runId);
    if (!snap) return null;
    shares ??= corruptedShares(truth.config, truth.seed);
    return compare(db, runId, snap, shares, truth.file);
  };
}

function compare(db: Db, runId: number, snap: InstanceWeightSnapshot, shares: Map<string, number>, truthFile: string): InstanceTruth {
  // one read of every CoT's key, not a query per instance
  const rows = db
    .prepare(
      `SELECT c.id, d.name || '|' || q.ext_id || '|' || c.ext_id AS key FROM cots c
         JOIN questions q ON q.id = c.question_id JOIN domains d ON d.id = q.domain_id WHERE d.pool = 'train'`,
    )
    .all() as { id: number; key: string }[];
  const keyOf = new Map(rows.map((r) => [r.id, r.key]));
  const byDomain = new Map<string, { w: number[]; s: number[] }>();
  const all = { w: [] as number[], s: [] as number[] };
  snap.cotIds.forEach((cotId, i) => {
    const key = keyOf.get(cotId);
    const share = key === undefined ? undefined : shares.get(key);
    if (share === undefined) return;
    const name = snap.domainNames[snap.domains[i]];
    const g = byDomain.get(name) ?? { w: [], s: [] };
    byDomain.set(name, g);
    for (const x of [g, all]) {
      x.w.push(snap.weights[i]);
      x.s.push(share);
    }
  });
  const domains = [...byDomain].map(([domain, g]) => ({
    domain,
    instances: g.w.length,
    meanWeight: round4(mean(g.w)) ?? 0,
    corruptedShare: round4(mean(g.s)) ?? 0,
    spearman: round4(spearman(g.w, g.s)),
  }));
  return { truthFile, runId, step: snap.step, instances: all.w.length, spearman: round4(spearman(all.w, all.s)), domains };
}
