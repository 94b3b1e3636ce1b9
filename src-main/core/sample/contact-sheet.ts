import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { UserError } from '../errors';
import type { CanonicalCotRecord } from '../types';
import { CORPUS_FILE } from './generate';

const SCALE = 4;
const IMAGE = 48 * SCALE;
const TEXT_WIDTH = 560;
const TILE_WIDTH = IMAGE + 16 + TEXT_WIDTH;
const TILE_HEIGHT = 236;
const COLUMNS = 2;
const LINE = 15;
const CHARS_PER_LINE = 78;

export interface ContactSheetOptions {
  /** CoTs shown per task type (default 2: one from the train pool, one from the test pool) */
  perTask?: number;
}

/**
 * Renders a PNG with examples of every task of a generated sample: the image enlarged ×4 with
 * nearest-neighbour sampling, and beside it the question, the steps with their labels and the
 * answers — for a person to check that the questions can be solved from the pictures.
 */
export async function renderContactSheet(sampleDir: string, file: string, options: ContactSheetOptions = {}): Promise<{ file: string; tiles: number }> {
  const records = readCorpus(sampleDir);
  const picks = pickExamples(records, options.perTask ?? 2);
  const rows = Math.ceil(picks.length / COLUMNS);
  const layers: sharp.OverlayOptions[] = [];
  for (const [i, rec] of picks.entries()) {
    const left = (i % COLUMNS) * (TILE_WIDTH + 24) + 12;
    const top = Math.floor(i / COLUMNS) * TILE_HEIGHT + 12;
    const image = rec.images?.[0];
    if (image) {
      const png = await sharp(join(sampleDir, image)).resize(IMAGE, IMAGE, { kernel: 'nearest' }).png().toBuffer();
      layers.push({ input: png, left, top });
    }
    layers.push({ input: Buffer.from(tileText(rec)), left: left + IMAGE + 16, top });
  }
  const width = COLUMNS * (TILE_WIDTH + 24);
  const height = rows * TILE_HEIGHT + 12;
  await sharp({ create: { width, height, channels: 3, background: '#f4f4f4' } }).composite(layers).png().toFile(file);
  return { file, tiles: picks.length };
}

function readCorpus(dir: string): CanonicalCotRecord[] {
  let text: string;
  try {
    text = readFileSync(join(dir, CORPUS_FILE), 'utf8');
  } catch {
    throw new UserError(`no sample in ${dir}: ${CORPUS_FILE} is missing (run dreamprm sample --out ${dir} first)`);
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CanonicalCotRecord);
}

/** Per task, CoTs from different pools, preferring ones that contain a mistake. */
function pickExamples(records: CanonicalCotRecord[], perTask: number): CanonicalCotRecord[] {
  const byTask = new Map<string, CanonicalCotRecord[]>();
  for (const r of records) {
    const task = r.qid.split('-')[0];
    byTask.set(task, [...(byTask.get(task) ?? []), r]);
  }
  const out: CanonicalCotRecord[] = [];
  for (const list of byTask.values()) {
    const pools = ['train', 'test', 'meta'] as const;
    const chosen: CanonicalCotRecord[] = [];
    for (let i = 0; chosen.length < perTask && i < perTask * pools.length; i++) {
      const pool = pools[i % pools.length];
      const candidates = list.filter((r) => r.pool === pool && !chosen.includes(r));
      const flawed = candidates.find((r) => r.answer !== r.groundTruth);
      const pick = i < pools.length && flawed ? flawed : candidates[0];
      if (pick) chosen.push(pick);
    }
    out.push(...chosen);
  }
  return out;
}

function tileText(rec: CanonicalCotRecord): string {
  const lines: { text: string; colour: string; bold?: boolean }[] = [];
  lines.push({ text: `${rec.domain} · ${rec.pool ?? 'train'} · ${rec.qid} · ${rec.cotId ?? ''}`, colour: '#555', bold: true });
  for (const l of wrap(rec.question)) lines.push({ text: l, colour: '#000', bold: true });
  rec.steps.forEach((s, t) => {
    const good = s.label !== undefined ? s.label === 1 : s.m !== undefined ? s.m >= 0.5 : undefined;
    const tag = s.label !== undefined ? (s.label ? '[+]' : '[−]') : s.m !== undefined ? `[m=${s.m.toFixed(2)} k=${s.k}]` : '';
    const colour = good === undefined ? '#000' : good ? '#137a2a' : '#c01818';
    wrap(`${t + 1}. ${s.text} ${tag}`).forEach((l) => lines.push({ text: l, colour }));
  });
  const verdict = rec.correct === undefined ? '' : rec.correct ? ' (correct)' : ' (wrong)';
  lines.push({ text: `answer ${rec.answer ?? '?'} · ground truth ${rec.groundTruth ?? '?'}${verdict}`, colour: '#333' });
  const body = lines
    .slice(0, Math.floor((TILE_HEIGHT - 12) / LINE))
    .map(
      (l, i) =>
        `<text x="0" y="${(i + 1) * LINE}" fill="${l.colour}"${l.bold ? ' font-weight="bold"' : ''}>${escapeXml(l.text)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${TEXT_WIDTH}" height="${TILE_HEIGHT - 12}" font-family="DejaVu Sans, sans-serif" font-size="12">${body}</svg>`;
}

function wrap(text: string): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > CHARS_PER_LINE) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
