import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { locateImage } from '../data/image-paths';
import type { Db } from '../store/db';

export type ImageMode = 'copy' | 'reference';

/** Image references written into rows, by how each was served (an image shared by rows counts once per row). */
export interface ImageCounts {
  /** a copy in OUT/images (each image file is written once) */
  copied: number;
  /** the original file on disk, by absolute path */
  referenced: number;
  /** reference mode, original file gone: a copy of the stored bytes, by absolute path */
  copiedFallback: number;
  /** missing since import (no bytes, no file): the path as the data gave it */
  missing: number;
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/gif': 'gif', 'image/tiff': 'tif', 'image/avif': 'avif', 'image/svg+xml': 'svg' };

/**
 * A question's image paths as the exported files write them. `copy`: the stored bytes go to
 * OUT/images/<sha256>.<ext> (each image once) and rows name them relative to OUT, so the
 * folder can be moved as a whole. `reference`: rows name the original files by absolute path.
 */
export function imagePaths(db: Db, outDir: string, mode: ImageMode): { pathsOf(questionId: number): string[]; counts: ImageCounts } {
  const counts: ImageCounts = { copied: 0, referenced: 0, copiedFallback: 0, missing: 0 };
  const written = new Set<string>();
  const rowsOf = db.prepare(
    `SELECT qi.path, qi.image_id AS imageId, i.sha256, i.mime, s.path AS sourcePath, s.options AS sourceOptions
       FROM question_images qi
       JOIN questions q ON q.id = qi.question_id
       LEFT JOIN images i ON i.id = qi.image_id
       LEFT JOIN sources s ON s.id = q.source_id
      WHERE qi.question_id = ? ORDER BY qi.ord`,
  );
  const bytesOf = db.prepare(`SELECT bytes FROM images WHERE id = ?`).pluck();

  const writeCopy = (imageId: number, sha: string, mime: string): string => {
    const rel = `images/${sha}.${EXT[mime] ?? 'bin'}`;
    if (!written.has(rel)) {
      const abs = join(outDir, rel);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, bytesOf.get(imageId) as Buffer);
      written.add(rel);
    }
    return rel;
  };

  return {
    counts,
    pathsOf(questionId) {
      const rows = rowsOf.all(questionId) as {
        path: string;
        imageId: number | null;
        sha256: string | null;
        mime: string | null;
        sourcePath: string | null;
        sourceOptions: string | null;
      }[];
      return rows.map((r) => {
        if (r.imageId === null || r.sha256 === null || r.mime === null) {
          counts.missing++;
          return r.path;
        }
        if (mode === 'copy') {
          counts.copied++;
          return writeCopy(r.imageId, r.sha256, r.mime);
        }
        const original = originalFile(r.path, r.sourcePath, r.sourceOptions);
        if (original) {
          counts.referenced++;
          return original;
        }
        counts.copiedFallback++;
        return resolve(outDir, writeCopy(r.imageId, r.sha256, r.mime));
      });
    },
  };
}

/** Where the image was read from at import, if it is still there and the image-path rule allows it. */
function originalFile(path: string, sourcePath: string | null, sourceOptions: string | null): string | null {
  let imagesDir: string | undefined;
  try {
    const o = JSON.parse(sourceOptions ?? '{}') as { imagesDir?: unknown };
    if (typeof o.imagesDir === 'string') imagesDir = o.imagesDir;
  } catch {
    // options are informative only
  }
  const dir = sourcePath ? dirname(sourcePath) : process.cwd();
  const found = locateImage(path, { fileDir: dir, imagesDir });
  return found.status === 'found' ? found.path : null;
}
