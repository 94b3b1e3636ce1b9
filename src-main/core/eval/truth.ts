import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from '../store/db';
import { spearman } from './metrics';

/** How learned domain weights compare with the known quality of the built-in sample's domains. */
export interface TruthComparison {
  truthFile: string;
  /** domain → learned weight, for the domains truth.json knows */
  domainWeights: Record<string, number>;
  truthQuality: Record<string, number>;
  spearman: number | null;
}

/** What the sample's truth.json states (generator, seed and config let the sample be rebuilt). */
export interface SampleTruthFile {
  file: string;
  quality: Record<string, number>;
  seed?: number;
  config?: unknown;
}

/**
 * Finds a truth.json beside an imported corpus (the sample writes one) and returns what it
 * states. Files that are not the sample's are ignored.
 */
export function findTruthFile(db: Db): SampleTruthFile | null {
  const paths = db.prepare(`SELECT DISTINCT path FROM sources ORDER BY id DESC`).pluck().all() as string[];
  for (const p of paths) {
    const file = join(dirname(p), 'truth.json');
    if (!existsSync(file)) continue;
    try {
      const truth = JSON.parse(readFileSync(file, 'utf8')) as Omit<SampleTruthFile, 'file'>;
      if (truth.quality && typeof truth.quality === 'object') return { ...truth, file };
    } catch {
      // not a truth file we understand: keep looking
    }
  }
  return null;
}


/** Spearman correlation of learned weights with true quality over the domains both know. */
export function compareWithTruth(db: Db, domainWeights: Record<string, number>): TruthComparison | null {
  const truth = findTruthFile(db);
  if (!truth) return null;
  const domains = Object.keys(truth.quality).filter((d) => d in domainWeights).sort();
  const rho = spearman(
    domains.map((d) => domainWeights[d]),
    domains.map((d) => truth.quality[d]),
  );
  return {
    truthFile: truth.file,
    domainWeights: Object.fromEntries(domains.map((d) => [d, domainWeights[d]])),
    truthQuality: Object.fromEntries(domains.map((d) => [d, truth.quality[d]])),
    spearman: Number.isNaN(rho) ? null : Math.round(rho * 10000) / 10000,
  };
}
