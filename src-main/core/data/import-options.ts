/** The import's options and input file, checked before anything is read. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../errors';
import { CONFLICT_POLICIES, POOLS, type ConflictPolicy, type ImportFormat, type ImportOptions, type Pool } from '../types';
import { IMPORT_FORMATS } from './detect-format';
import { describe } from './validation';

export interface CheckedOptions {
  format: ImportFormat | 'auto';
  pool?: Pool;
  domain?: string;
  imagesDir?: string;
  strict: boolean;
  onConflict: ConflictPolicy;
}

export async function checkOptions(o: ImportOptions): Promise<CheckedOptions> {
  const format = o.format ?? 'auto';
  if (format !== 'auto' && !IMPORT_FORMATS.includes(format)) {
    throw new UserError(`unknown format ${describe(format)}: use auto, ${IMPORT_FORMATS.join(', ')}`);
  }
  if (o.pool !== undefined && !POOLS.includes(o.pool)) {
    throw new UserError(`unknown pool ${describe(o.pool)}: use train, meta or test`);
  }
  const onConflict = o.onConflict ?? 'keep';
  if (!CONFLICT_POLICIES.includes(onConflict)) {
    throw new UserError(`unknown --on-conflict ${describe(onConflict)}: use ${CONFLICT_POLICIES.join(', ')}`);
  }
  const domain = o.domain?.trim();
  if (o.domain !== undefined && !domain) throw new UserError('--domain is empty: give a domain name');
  let imagesDir: string | undefined;
  if (o.imagesDir !== undefined) {
    imagesDir = resolve(o.imagesDir);
    const st = await stat(imagesDir).catch(() => undefined);
    if (!st) throw new UserError(`images folder not found: ${o.imagesDir}`);
    if (!st.isDirectory()) throw new UserError(`--images ${o.imagesDir} is a file; give the folder that holds the images`);
  }
  return { format, pool: o.pool, domain, imagesDir, strict: o.strict ?? false, onConflict };
}

export async function checkInputFile(absPath: string, label: string): Promise<number> {
  try {
    const st = await stat(absPath);
    if (st.isDirectory()) throw new UserError(`${label} is a folder; give a data file (.json or .jsonl)`);
    return st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`file not found: ${label}`);
    throw new UserError(`cannot read ${label}: ${(e as Error).message}`);
  }
}
