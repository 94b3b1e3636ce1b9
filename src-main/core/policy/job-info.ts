import type { JobRow } from '../store/jobs-store';
import type { EmbedConfig } from './embed-job';
import type { GenerateConfig, LabelConfig } from './job-config';
import type { ScoreConfig } from './score-job';

/** A job in a few words, for the Jobs page and the CLI's status. */
export interface JobDescription {
  /** the pool, or the pools joined with "+" */
  pool: string;
  /** N (generate) or K (label); 0 for the other kinds */
  samples: number;
  /** e.g. "N=4", "text + images", "generative PRM · VisualPRM-8B" */
  detail: string;
  /** what a person should know, e.g. that a text-only server never saw the images */
  note: string | null;
  /** the evaluation a completed score job stored */
  evaluationId: number | null;
}

export function describeJob(row: JobRow): JobDescription {
  const summary = (row.summary ?? {}) as { note?: string | null; evaluationId?: number };
  const base = { note: summary.note ?? null, evaluationId: summary.evaluationId ?? null };
  switch (row.kind) {
    case 'generate': {
      const c = row.config as GenerateConfig;
      return { ...base, pool: c.pool, samples: c.n, detail: `N=${c.n}` };
    }
    case 'label': {
      const c = row.config as LabelConfig;
      return { ...base, pool: c.pool, samples: c.k, detail: `K=${c.k}` };
    }
    case 'embed': {
      const c = row.config as EmbedConfig;
      const what = c.input === 'text' ? 'text only' : 'text + images';
      return { ...base, pool: c.pools.join('+'), samples: 0, detail: c.dimensions ? `${what} · ${c.dimensions} dims` : what };
    }
    case 'score': {
      const c = row.config as ScoreConfig;
      return { ...base, pool: 'test', samples: 0, detail: `${c.mode} PRM · ${c.label}` };
    }
  }
}
