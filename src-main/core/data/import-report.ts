/**
 * The import summary as a person reads it: one headline and a few sections (what was added,
 * what was skipped and why, conflicts with stored data and what was done, missing images).
 * Plain data only, no Node: the CLI prints it and the app's import panel shows the same
 * report.
 */
import type { ImportConflict, ImportStatus, ImportSummary, RecordGroup } from '../types';

export interface ReportSection {
  /** short key for tests and styling: added, domains, skipped, conflicts, images, problems */
  key: string;
  title: string;
  lines: string[];
}

export interface ImportReport {
  status: ImportStatus;
  headline: string;
  sections: ReportSection[];
}

const n = (x: number): string => x.toLocaleString('en');
const plural = (x: number, word: string): string => `${n(x)} ${word}${x === 1 ? '' : 's'}`;

/** "records 1, 4, 9" with "…" when the group has more than it lists. */
export function recordList(g: Pick<RecordGroup, 'count' | 'first'>): string {
  const more = g.count > g.first.length ? ', …' : '';
  return `record${g.first.length > 1 || more ? 's' : ''} ${g.first.join(', ')}${more}`;
}

export function importReport(s: ImportSummary): ImportReport {
  const skipped = s.skipped.reduce((t, g) => t + g.count, 0);
  const refused = s.status === 'failed' && s.conflicts.some((c) => c.action === 'refused');
  const already = Math.max(0, s.records - s.imported - skipped);
  const counts =
    s.status === 'failed' && (refused || skipped < s.records)
      ? 'nothing imported'
      : `${n(s.imported)} imported, ${n(skipped)} skipped, ${n(already)} already in the database`;
  const sections = [added(s), skippedSection(s), conflictSection(s), imageSection(s), problemSection(s)].filter(
    (x): x is ReportSection => x !== null,
  );
  return { status: s.status, headline: `${s.file} (${s.format}): ${plural(s.records, 'record')} read: ${counts}`, sections };
}

function added(s: ImportSummary): ReportSection {
  const lines: string[] = [];
  if (s.questions || s.cots || s.steps) lines.push(`Added ${plural(s.questions, 'question')}, ${plural(s.cots, 'CoT')}, ${plural(s.steps, 'step')}.`);
  else if (s.status === 'complete' && !s.imported) lines.push('Nothing new: every record of this file is already in the database.');
  else lines.push(s.imported ? 'No new rows: the records replaced stored ones.' : 'Nothing was added.');
  const domains = Object.entries(s.domains);
  if (domains.length) lines.push(`New CoTs per domain: ${domains.map(([d, c]) => `${d} ${n(c)}`).join(', ')}`);
  return { key: 'added', title: 'Added', lines };
}

function skippedSection(s: ImportSummary): ReportSection | null {
  if (!s.skipped.length) return null;
  const total = s.skipped.reduce((t, g) => t + g.count, 0);
  return {
    key: 'skipped',
    title: `Skipped: ${plural(total, 'record')}, by reason`,
    lines: s.skipped.map((g) => `${n(g.count)} × ${g.reason} (${recordList(g)})`),
  };
}

const ACTIONS: Record<ImportConflict['action'], string> = {
  kept: 'kept the stored version, records skipped',
  replaced: "replaced by the file's version",
  refused: 'nothing was imported',
};

function conflictSection(s: ImportSummary): ReportSection | null {
  if (!s.conflicts.length) return null;
  return {
    key: 'conflicts',
    title: `Conflicts with stored data (on conflict: ${s.onConflict})`,
    lines: s.conflicts.map((c) => {
      const target = c.example.cotId === null ? `question "${c.example.qid}"` : `CoT "${c.example.cotId}" of question "${c.example.qid}"`;
      return `${plural(c.count, 'record')}: ${c.reason}: ${ACTIONS[c.action]} (${recordList(c)}); e.g. ${target}: stored ${c.example.stored} / file ${c.example.file}`;
    }),
  };
}

function imageSection(s: ImportSummary): ReportSection | null {
  const lines: string[] = [];
  if (s.missingImages) {
    const e = s.missingImageExamples;
    const where = e.map((m) => `record ${m.record} ${m.field}: ${m.path}`).join('; ');
    lines.push(
      `${plural(s.missingImages, 'image file')} not found (${where}${s.missingImages > e.length ? '; …' : ''}): ` +
        'those records are stored without them. Give --images (the Images folder) the folder that holds them and import the file again: the references are filled in.',
    );
  }
  if (s.refusedImages) {
    lines.push(`${plural(s.refusedImages, 'image')} refused: outside the data file's folder or --images, not a regular file, or too big (listed under Problems).`);
  }
  return lines.length ? { key: 'images', title: 'Images', lines } : null;
}

/** At most this many problems in the text report; --json and the app's list have them all. */
export const SHOWN_PROBLEMS = 20;

function problemSection(s: ImportSummary): ReportSection | null {
  if (!s.errors.length) return null;
  const more = s.errors.length > SHOWN_PROBLEMS ? `, first ${SHOWN_PROBLEMS}` : '';
  return {
    key: 'problems',
    title: `Problems (${n(s.errors.length)}${more})`,
    lines: s.errors.slice(0, SHOWN_PROBLEMS).map((e) => `record ${e.record}, ${e.field}: ${e.message}`),
  };
}
