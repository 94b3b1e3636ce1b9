import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { DEFAULT_IMAGE_LIMITS, ImageRefused, locateImage, readImageFile, type ImageLimits } from './image-paths';

/** Thumbnails are WebP, at most this many pixels on their longer side. */
export const THUMB_SIZE = 128;
export const THUMB_MIME = 'image/webp';

export interface DecodedImage {
  sha256: string;
  mime: string;
  width: number;
  height: number;
  bytes: Buffer;
  thumb: Buffer;
}

export type ImageResolution =
  /** `image` is absent when an image with this hash is already stored (no need to decode) */
  | { status: 'ok'; sha256: string; image?: DecodedImage }
  | { status: 'missing' }
  /** the path breaks the rule of image-paths.ts (outside the folders, not a regular file, too big, stalled) */
  | { status: 'refused'; message: string }
  | { status: 'bad'; message: string };

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/heif',
  tiff: 'image/tiff',
  svg: 'image/svg+xml',
};

/** Decodes an image to learn its size and type, and makes its thumbnail. Throws if unreadable. */
export async function decodeImage(bytes: Buffer, sha256 = sha256Of(bytes)): Promise<DecodedImage> {
  const meta = await sharp(bytes).metadata();
  const mime = meta.format ? MIME[meta.format] : undefined;
  if (!mime) throw new Error(`unsupported image format ${meta.format ?? 'unknown'}`);
  // EXIF-rotated photos: report the size as displayed.
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new Error('the image has no size');
  const thumb = await sharp(bytes)
    .rotate()
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
  return { sha256, mime, width, height, bytes, thumb };
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Finds (under the rule of image-paths.ts), reads and decodes one referenced image.
 * `isStored(sha)` skips decoding images the database (or this import) already has.
 */
export async function resolveImage(
  ref: string,
  fileDir: string,
  imagesDir: string | undefined,
  isStored: (sha256: string) => boolean,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): Promise<ImageResolution> {
  const found = locateImage(ref, { fileDir, imagesDir }, limits);
  if (found.status !== 'found') return found;
  let bytes: Buffer;
  try {
    bytes = await readImageFile(found.path, limits);
  } catch (e) {
    if (e instanceof ImageRefused) return { status: 'refused', message: e.message };
    return { status: 'bad', message: `cannot read image ${found.path}: ${(e as Error).message}` };
  }
  const sha256 = sha256Of(bytes);
  if (isStored(sha256)) return { status: 'ok', sha256 };
  try {
    return { status: 'ok', sha256, image: await decodeImage(bytes, sha256) };
  } catch (e) {
    return { status: 'bad', message: `cannot decode image ${found.path}: ${(e as Error).message}` };
  }
}

/** Runs `work` over `items` with at most `limit` in flight (image decoding is I/O + libvips). */
export async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}
