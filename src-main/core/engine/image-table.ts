import type { Db } from '../store/db';
import type { RawCot } from './dataset';
import { decodeImages, type ImageSource } from './images';

export interface ImageTable {
  /** [(count) * size * size * 3], row 0 blank */
  pixels: Float32Array;
  count: number;
  size: number;
}

/** Distinct image ids of the CoTs, mapped to rows 1..n of an image table (0 is blank). */
export function imageRowsOf(...pools: (readonly RawCot[])[]): Map<number, number> {
  const rows = new Map<number, number>();
  for (const pool of pools) {
    for (const c of pool) if (c.imageId !== null && !rows.has(c.imageId)) rows.set(c.imageId, rows.size + 1);
  }
  return rows;
}

/** Decodes the images of `rows` from the store. */
export async function loadImageTable(db: Db, rows: ReadonlyMap<number, number>, size: number, dbKey: string): Promise<ImageTable> {
  const get = db.prepare('SELECT bytes FROM images WHERE id = ?').pluck();
  const sources: ImageSource[] = [{ key: 'blank', load: () => BLANK_PNG }];
  for (const [id] of [...rows.entries()].sort((a, b) => a[1] - b[1])) {
    sources.push({
      key: `${dbKey}#image${id}`,
      load: () => {
        const bytes = get.get(id) as Buffer | undefined;
        if (!bytes) throw new Error(`image ${id} is not in the database`);
        return bytes;
      },
    });
  }
  const pixels = await decodeImages(sources, size);
  pixels.fill(0, 0, size * size * 3);
  return { pixels, count: sources.length, size };
}

// A 1x1 black PNG; row 0 is zeroed after decoding anyway.
const BLANK_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC',
  'base64',
);
