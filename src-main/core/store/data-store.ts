import { UserError } from '../errors';
import { POOLS, type DomainInfo, type ImportSummary, type Pool, type SourceInfo } from '../types';
import type { Db } from './db';

/**
 * Reads and curation of imported data for the UI, the API and the engine: sources and domains
 * (with label statistics); their questions, CoTs and images are read in questions-store.ts.
 * Changes to an unknown domain, or that would break a rule, throw a UserError.
 */

/** A source as the store reads it: what the API sends (src-shared/data.ts) and what the CLI also shows. */
export interface SourceRow extends SourceInfo {
  sha256: string;
  questions: number;
  /** the summary of the import that created the source, null when unknown */
  summary: ImportSummary | null;
}

/** A domain as the store reads it: what the API sends (src-shared/data.ts) and what the CLI also shows. */
export interface DomainStats extends DomainInfo {
  /** humanLabels / steps (0 when the domain has no steps) */
  humanFraction: number;
  /** image references whose file was missing or unreadable at import */
  missingImages: number;
}

export function listSources(db: Db): SourceRow[] {
  const rows = db
    .prepare(
      `SELECT s.id, s.path, s.sha256, s.format, s.pool, s.imported_at AS importedAt, s.summary,
         (SELECT count(*) FROM questions q WHERE q.source_id = s.id) AS questions,
         (SELECT count(*) FROM cots c WHERE c.source_id = s.id) AS cots,
         (SELECT count(*) FROM questions q JOIN question_images qi ON qi.question_id = q.id
            WHERE q.source_id = s.id AND qi.image_id IS NULL) AS missingImages
       FROM sources s ORDER BY s.id`,
    )
    .all() as (Omit<SourceRow, 'summary'> & { summary: string })[];
  return rows.map((r) => ({ ...r, summary: parseSummary(r.summary) }));
}

function parseSummary(text: string): ImportSummary | null {
  try {
    const v = JSON.parse(text) as Partial<ImportSummary>;
    return typeof v.format === 'string' ? (v as ImportSummary) : null;
  } catch {
    return null;
  }
}

/** Per-domain statistics; `domainId` limits the aggregation to one domain. */
function domainStats(db: Db, where: { pool?: Pool; domainId?: number }): DomainStats[] {
  const filter = where.domainId !== undefined ? 'q.domain_id = :domainId' : 'true';
  const dFilter = [
    where.domainId !== undefined ? 'd.id = :domainId' : 'true',
    where.pool !== undefined ? 'd.pool = :pool' : 'true',
  ].join(' AND ');
  const rows = db
    .prepare(
      `WITH qs AS (SELECT q.domain_id, count(*) AS n FROM questions q WHERE ${filter} GROUP BY q.domain_id),
       cs AS (SELECT q.domain_id, count(*) AS cots, sum(c.n_steps) AS steps, count(c.correct) AS judged,
                coalesce(sum(c.correct = 1), 0) AS correct
              FROM cots c JOIN questions q ON q.id = c.question_id WHERE ${filter} GROUP BY q.domain_id),
       ss AS (SELECT q.domain_id, count(s.mc) AS labelled, avg(s.mc) AS mean, count(s.human) AS human
              FROM steps s JOIN cots c ON c.id = s.cot_id JOIN questions q ON q.id = c.question_id
              WHERE ${filter} GROUP BY q.domain_id),
       im AS (SELECT q.domain_id, count(DISTINCT qi.image_id) AS images,
                count(*) - count(qi.image_id) AS missing
              FROM question_images qi JOIN questions q ON q.id = qi.question_id WHERE ${filter} GROUP BY q.domain_id)
       SELECT d.id, d.name, d.pool, d.excluded,
         coalesce(qs.n, 0) AS questions, coalesce(cs.cots, 0) AS cots, coalesce(cs.steps, 0) AS steps,
         coalesce(ss.labelled, 0) AS labelledSteps, ss.mean AS meanLabel, coalesce(ss.human, 0) AS humanLabels,
         coalesce(cs.judged, 0) AS judgedCots, coalesce(cs.correct, 0) AS correctCots,
         coalesce(im.images, 0) AS images, coalesce(im.missing, 0) AS missingImages
       FROM domains d LEFT JOIN qs ON qs.domain_id = d.id LEFT JOIN cs ON cs.domain_id = d.id
         LEFT JOIN ss ON ss.domain_id = d.id LEFT JOIN im ON im.domain_id = d.id
       WHERE ${dFilter}
       ORDER BY d.pool, d.name`,
    )
    .all(where) as (Omit<DomainStats, 'excluded' | 'humanFraction'> & { excluded: number })[];
  return rows.map((r) => ({
    ...r,
    excluded: r.excluded === 1,
    humanFraction: r.steps ? r.humanLabels / r.steps : 0,
  }));
}

export function listDomains(db: Db, filter: { pool?: Pool } = {}): DomainStats[] {
  return domainStats(db, filter);
}

export function getDomain(db: Db, domainId: number): DomainStats {
  const [d] = domainStats(db, { domainId });
  if (!d) throw new UserError(`no domain with id ${domainId}`);
  return d;
}

function domainRow(db: Db, id: number): { id: number; name: string; pool: Pool } {
  const row = db.prepare('SELECT id, name, pool FROM domains WHERE id = ?').get(id) as
    | { id: number; name: string; pool: Pool }
    | undefined;
  if (!row) throw new UserError(`no domain with id ${id}`);
  return row;
}

function sameName(db: Db, name: string, pool: Pool, exceptId: number): number | undefined {
  return db.prepare('SELECT id FROM domains WHERE name = ? AND pool = ? AND id != ?').pluck().get(name, pool, exceptId) as
    | number
    | undefined;
}

export function renameDomain(db: Db, domainId: number, name: string): DomainStats {
  const d = domainRow(db, domainId);
  const clean = name.trim();
  if (!clean) throw new UserError('a domain name cannot be empty');
  const other = sameName(db, clean, d.pool, d.id);
  if (other !== undefined) {
    throw new UserError(
      `a domain named "${clean}" already exists in the ${d.pool} pool (id ${other}); merge the two domains instead of renaming`,
    );
  }
  db.prepare('UPDATE domains SET name = ? WHERE id = ?').run(clean, d.id);
  return getDomain(db, d.id);
}

export function setDomainExcluded(db: Db, domainId: number, excluded: boolean): DomainStats {
  domainRow(db, domainId);
  db.prepare('UPDATE domains SET excluded = ? WHERE id = ?').run(excluded ? 1 : 0, domainId);
  return getDomain(db, domainId);
}

export function moveDomainToPool(db: Db, domainId: number, pool: Pool): DomainStats {
  if (!POOLS.includes(pool)) throw new UserError(`unknown pool "${String(pool)}": use train, meta or test`);
  const d = domainRow(db, domainId);
  if (d.pool === pool) return getDomain(db, d.id);
  const other = sameName(db, d.name, pool, d.id);
  if (other !== undefined) {
    throw new UserError(
      `the ${pool} pool already has a domain named "${d.name}" (id ${other}); rename one of them first, ` +
        'or move this one and then merge them',
    );
  }
  db.prepare('UPDATE domains SET pool = ? WHERE id = ?').run(pool, d.id);
  return getDomain(db, d.id);
}

/**
 * Moves every question (with its CoTs) of the source domains into the target and deletes the
 * emptied domains. A question whose id the target already has is merged into that question:
 * its CoTs move over (one whose id collides gets "~<row id>" appended), so no CoT is lost.
 */
export function mergeDomains(db: Db, targetId: number, sourceIds: readonly number[]): DomainStats {
  const target = domainRow(db, targetId);
  const sources = [...new Set(sourceIds)].map((id) => domainRow(db, id));
  if (!sources.length) throw new UserError('choose at least one domain to merge into the target');
  for (const s of sources) {
    if (s.id === target.id) throw new UserError(`cannot merge domain "${s.name}" into itself`);
    if (s.pool !== target.pool) {
      throw new UserError(
        `cannot merge "${s.name}" (${s.pool} pool) into "${target.name}" (${target.pool} pool): move it to the ${target.pool} pool first`,
      );
    }
  }
  const clashes = db.prepare(
    `SELECT sq.id AS fromId, tq.id AS toId FROM questions sq
     JOIN questions tq ON tq.domain_id = ? AND tq.ext_id = sq.ext_id WHERE sq.domain_id = ?`,
  );
  const moveCots = db.prepare(
    `UPDATE cots SET question_id = :to,
       ext_id = CASE WHEN EXISTS (SELECT 1 FROM cots o WHERE o.question_id = :to AND o.ext_id = cots.ext_id)
                THEN ext_id || '~' || id ELSE ext_id END
     WHERE question_id = :from`,
  );
  const copyImages = db.prepare(
    `INSERT OR IGNORE INTO question_images (question_id, ord, image_id, path)
     SELECT :to, ord, image_id, path FROM question_images WHERE question_id = :from`,
  );
  const deleteQuestion = db.prepare('DELETE FROM questions WHERE id = ?');
  const moveRest = db.prepare('UPDATE questions SET domain_id = ? WHERE domain_id = ?');
  const deleteDomain = db.prepare('DELETE FROM domains WHERE id = ?');
  db.transaction(() => {
    for (const s of sources) {
      for (const c of clashes.all(target.id, s.id) as { fromId: number; toId: number }[]) {
        moveCots.run({ to: c.toId, from: c.fromId });
        copyImages.run({ to: c.toId, from: c.fromId });
        deleteQuestion.run(c.fromId);
      }
      moveRest.run(target.id, s.id);
      deleteDomain.run(s.id);
    }
  })();
  return getDomain(db, target.id);
}

/**
 * Up to `limit` image ids of a domain's questions, spread over the domain and stable from
 * call to call (thumbnails do not jump about when the page refreshes).
 */
export function sampleImageIds(db: Db, domainId: number, limit = 8): number[] {
  return db
    .prepare(
      `SELECT DISTINCT qi.image_id FROM question_images qi JOIN questions q ON q.id = qi.question_id
       WHERE q.domain_id = ? AND qi.image_id IS NOT NULL
       ORDER BY (qi.image_id * 2654435761) % 4294967296 LIMIT ?`,
    )
    .pluck()
    .all(domainId, Math.max(0, Math.floor(limit))) as number[];
}
