/**
 * Pages of a run's instance table, sorted and filtered in SQLite. A page is found in two
 * steps: the instance numbers of the page from a covering index (ORDER BY … LIMIT … OFFSET
 * walks index entries only, ~40 ms even at offset 1,000,000), then those rows by primary key.
 * Each sort has one index with and one without the domain in front, named so the query can
 * insist on it (INDEXED BY): a plan that falls back to a sort of a million rows is an error,
 * not a slow page.
 */
import { UserError } from '../errors';
import type { Db } from '../store/db';
import { explorerTableRow, indexName, SORT_COLUMN, type ExploreTableRow } from './instance-table';
import { INSTANCE_SORTS, type InstancePage, type InstanceQuery, type InstanceRow } from './types';

/** Questions a search looks at, at most; more matches ask for a longer prefix. */
export const SEARCH_QUESTION_CAP = 2000;
export const MAX_PAGE = 1000;

export function tableOf(db: Db, runId: number): ExploreTableRow {
  const row = explorerTableRow(db, runId);
  if (!row) throw new UserError(`run ${runId} has no explorer table yet: open its explorer first (explorerInfo builds it)`);
  return row;
}

export const DEFAULT_QUERY: InstanceQuery = {
  sort: 'weight',
  desc: true,
  domain: null,
  minWeight: null,
  maxWeight: null,
  search: null,
  offset: 0,
  limit: 100,
};

function checkQuery(q: InstanceQuery): void {
  if (!INSTANCE_SORTS.includes(q.sort)) throw new UserError(`unknown sort "${String(q.sort)}": use one of ${INSTANCE_SORTS.join(', ')}`);
  if (!Number.isInteger(q.offset) || q.offset < 0) throw new UserError(`offset must be a whole number ≥ 0 (got ${q.offset})`);
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_PAGE) throw new UserError(`limit must be 1..${MAX_PAGE} (got ${q.limit})`);
  if (q.minWeight !== null && q.maxWeight !== null && q.minWeight > q.maxWeight) {
    throw new UserError(`the weight range is empty: minimum ${q.minWeight} is above maximum ${q.maxWeight}`);
  }
}

interface Where {
  sql: string;
  params: Record<string, unknown>;
}

function filters(table: ExploreTableRow, q: InstanceQuery, alias = ''): Where {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  if (q.domain !== null) {
    const names = JSON.parse(table.domain_names) as string[];
    const d = names.indexOf(q.domain);
    if (d < 0) throw new UserError(`run ${table.run_id} has no training domain "${q.domain}" (it has ${names.join(', ')})`);
    parts.push(`${alias}domain = :domain`);
    params.domain = d;
  }
  if (q.minWeight !== null) {
    parts.push(`${alias}weight >= :minWeight`);
    params.minWeight = q.minWeight;
  }
  if (q.maxWeight !== null) {
    parts.push(`${alias}weight <= :maxWeight`);
    params.maxWeight = q.maxWeight;
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

function orderBy(q: InstanceQuery, alias = ''): string {
  const dir = q.desc ? 'DESC' : 'ASC';
  const col = SORT_COLUMN[q.sort];
  return col === 'idx' ? `ORDER BY ${alias}idx ${dir}` : `ORDER BY ${alias}${col} ${dir}, ${alias}idx ${dir}`;
}

/** The SQL of a page's first step (instance numbers only), for tests of its query plan. */
export function pageKeysSql(table: ExploreTableRow, q: InstanceQuery): Where {
  const w = filters(table, q);
  const index = indexName(table.table_name, q.sort, q.domain !== null);
  return {
    sql: `SELECT idx FROM ${table.table_name} INDEXED BY ${index} ${w.sql} ${orderBy(q)} LIMIT :limit OFFSET :offset`,
    params: { ...w.params, limit: q.limit, offset: q.offset },
  };
}

export function countSql(table: ExploreTableRow, q: InstanceQuery): Where {
  const w = filters(table, q);
  // The weight index answers a range directly; the domain index a domain with or without one.
  const index = q.domain !== null ? indexName(table.table_name, 'weight', true) : indexName(table.table_name, 'weight', false);
  return { sql: `SELECT count(*) FROM ${table.table_name} INDEXED BY ${index} ${w.sql}`, params: w.params };
}

/** Question ids whose ext id or text starts with `prefix` (case-insensitive ASCII). */
export function searchQuestions(db: Db, prefix: string): { ids: number[]; truncated: boolean } {
  const p = prefix.trim();
  if (!p) return { ids: [], truncated: false };
  const hi = `${p}\u{10FFFF}`;
  const byExt = db
    .prepare(`SELECT id FROM questions WHERE ext_id COLLATE NOCASE >= ? AND ext_id COLLATE NOCASE < ? LIMIT ?`)
    .pluck()
    .all(p, hi, SEARCH_QUESTION_CAP + 1) as number[];
  const byText = db
    .prepare(
      `SELECT id FROM questions WHERE substr(text, 1, 80) COLLATE NOCASE >= ? AND substr(text, 1, 80) COLLATE NOCASE < ? LIMIT ?`,
    )
    .pluck()
    .all(p.slice(0, 80), `${p.slice(0, 80)}\u{10FFFF}`, SEARCH_QUESTION_CAP + 1) as number[];
  const ids = [...new Set([...byExt, ...byText])];
  return { ids: ids.slice(0, SEARCH_QUESTION_CAP), truncated: ids.length > SEARCH_QUESTION_CAP };
}

/** An InstanceRow as the explorer table stores it: the domain as its index in the run's domain names. */
interface RowDb extends Omit<InstanceRow, 'domain'> {
  domain: number;
}

function rowColumns(t: string): string {
  return `${t}.idx, ${t}.cot_id AS cotId, ${t}.question_id AS questionId, q.ext_id AS questionExtId,
    substr(q.text, 1, 120) AS questionText, ${t}.domain, ${t}.weight, ${t}.weight0, ${t}.change, ${t}.loss,
    ${t}.mean_label AS meanLabel, ${t}.steps`;
}

function toRow(r: RowDb, names: string[]): InstanceRow {
  return { ...r, domain: names[r.domain] ?? `#${r.domain}` };
}

/** Rows by instance number, in the order given. */
export function rowsByIdx(db: Db, table: ExploreTableRow, idxs: readonly number[]): InstanceRow[] {
  if (!idxs.length) return [];
  const t = table.table_name;
  const rows = db
    .prepare(
      `SELECT ${rowColumns(t)} FROM ${t} JOIN questions q ON q.id = ${t}.question_id
        WHERE ${t}.idx IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(idxs)) as RowDb[];
  const names = JSON.parse(table.domain_names) as string[];
  const byIdx = new Map(rows.map((r) => [r.idx, r]));
  return idxs.flatMap((i) => {
    const r = byIdx.get(i);
    return r ? [toRow(r, names)] : [];
  });
}

/** A search narrows to a few thousand questions' instances: those are sorted without an index. */
function searchPage(db: Db, table: ExploreTableRow, q: InstanceQuery, withTotal: boolean): InstancePage {
  const found = searchQuestions(db, q.search ?? '');
  const t = table.table_name;
  const w = filters(table, q, 'e.');
  const where = `${w.sql ? `${w.sql} AND` : 'WHERE'} e.cot_id IN
    (SELECT c.id FROM cots c WHERE c.question_id IN (SELECT value FROM json_each(:questions)))`;
  const params = { ...w.params, questions: JSON.stringify(found.ids) };
  const idxs = db
    .prepare(`SELECT e.idx FROM ${t} e ${where} ${orderBy(q, 'e.')} LIMIT :limit OFFSET :offset`)
    .pluck()
    .all({ ...params, limit: q.limit, offset: q.offset }) as number[];
  const total = withTotal ? (db.prepare(`SELECT count(*) FROM ${t} e ${where}`).pluck().get(params) as number) : null;
  return { rows: rowsByIdx(db, table, idxs), total, searchTruncated: found.truncated };
}

/** One page of the run's instances under a sort and filters, optionally with the match count. */
export function pageInstances(db: Db, runId: number, query: Partial<InstanceQuery>, withTotal = false): InstancePage {
  const q: InstanceQuery = { ...DEFAULT_QUERY, ...query };
  checkQuery(q);
  const table = tableOf(db, runId);
  if (q.search !== null && q.search.trim() !== '') return searchPage(db, table, q, withTotal);
  const keys = pageKeysSql(table, q);
  const idxs = db.prepare(keys.sql).pluck().all(keys.params) as number[];
  let total: number | null = null;
  if (withTotal) {
    const c = countSql(table, q);
    total = db.prepare(c.sql).pluck().get(c.params) as number;
  }
  return { rows: rowsByIdx(db, table, idxs), total, searchTruncated: false };
}

/** The query plan's lines for a page query (tests assert that it reads an index). */
export function explainPage(db: Db, runId: number, query: Partial<InstanceQuery>): string[] {
  const q: InstanceQuery = { ...DEFAULT_QUERY, ...query };
  const keys = pageKeysSql(tableOf(db, runId), q);
  return (db.prepare(`EXPLAIN QUERY PLAN ${keys.sql}`).all(keys.params) as { detail: string }[]).map((r) => r.detail);
}
