/**
 * Which files an image reference may name, and how one is read: the one rule for image paths
 * (import, the app's Import box under `serve`, and export's `--images reference`). A data file
 * is not trusted to name any path: `/dev/zero` grew an import without bound, a FIFO hung it,
 * and `../` or absolute paths copied any readable file into the database. So:
 *  - only regular files inside the data file's folder, or inside --images DIR when given;
 *  - symlinks are resolved first (realpath) and containment is checked on the real path;
 *  - FIFOs, devices, sockets and folders are refused; the opened handle is checked again
 *    (fstat), and opened non-blocking so that a FIFO swapped in cannot hang the open;
 *  - at most MAX_IMAGE_BYTES are read per image, and a read that stalls for
 *    IMAGE_READ_TIMEOUT_MS is abandoned.
 * Finding a file uses metadata calls only (realpath, stat), which never block on a FIFO.
 */
import { constants, realpathSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Largest image read, in bytes (64 MiB): far above any dataset's images, far below a runaway read. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
/** A single read of an image file that takes longer than this (ms) is abandoned. */
export const IMAGE_READ_TIMEOUT_MS = 30_000;

export interface ImageLimits {
  maxBytes: number;
  timeoutMs: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: MAX_IMAGE_BYTES, timeoutMs: IMAGE_READ_TIMEOUT_MS };

/** An image path the rule refuses; the message names the path, the rule and what to do. */
export class ImageRefused extends Error {
  override name = 'ImageRefused';
}

export interface ImageFolders {
  /** the data file's folder */
  fileDir: string;
  /** --images DIR: when given, the only folder images are read from */
  imagesDir?: string;
}

export type LocatedImage =
  | { status: 'found'; path: string }
  | { status: 'missing' }
  | { status: 'refused'; message: string }
  | { status: 'bad'; message: string };

/**
 * Where a path written in a data file may be on disk: with --images, inside that folder (as
 * written, then by file name alone, since datasets often carry paths from another machine);
 * otherwise relative to the data file's folder. Absolute paths are tried as they are first.
 */
export function candidatePaths(ref: string, fileDir: string, imagesDir?: string): string[] {
  const out: string[] = [];
  if (isAbsolute(ref)) out.push(ref);
  if (imagesDir) {
    if (!isAbsolute(ref)) out.push(resolve(imagesDir, ref));
    out.push(join(imagesDir, basename(ref)));
  } else if (!isAbsolute(ref)) {
    out.push(resolve(fileDir, ref));
  }
  return [...new Set(out)];
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/** Why a file that exists may not be read as an image, or null when it may. */
function refusal(candidate: string, real: string, st: Stats, folders: ImageFolders, root: string, limits: ImageLimits): string | null {
  if (!isInside(root, real)) {
    const where = folders.imagesDir ? `the --images folder ${root}` : `the data file's folder ${root}`;
    const shown = candidate === real ? real : `${candidate} (real path ${real})`;
    return `image ${shown} refused: it is outside ${where}, and images are read only from inside it; move the image there, or pass --images with the folder that holds it`;
  }
  if (!st.isFile()) return `image ${real} refused: it is ${kindOf(st)}, and only regular files are read as images; point the record at an image file`;
  if (st.size > limits.maxBytes) {
    return `image ${real} refused: it is ${mib(st.size)} (${st.size} bytes), over the ${mib(limits.maxBytes)} cap per image; shrink or re-encode it`;
  }
  return null;
}

/** The real path of a candidate, null when it does not exist. */
function realOf(path: string): string | null {
  try {
    return realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

/**
 * Finds the file a reference names under the rule. A candidate outside the folders is only
 * refused when no later candidate is found inside (with --images a foreign path is still found
 * by its file name); a reference that names nothing existing is missing.
 */
export function locateImage(ref: string, folders: ImageFolders, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): LocatedImage {
  let firstRefusal: string | null = null;
  try {
    const root = realpathSync(folders.imagesDir ?? folders.fileDir);
    for (const candidate of candidatePaths(ref, folders.fileDir, folders.imagesDir)) {
      const real = realOf(candidate);
      if (real === null) continue;
      const why = refusal(candidate, real, statSync(real), folders, root, limits);
      if (!why) return { status: 'found', path: real };
      firstRefusal ??= why;
    }
  } catch (e) {
    return { status: 'bad', message: `cannot read image ${ref}: ${(e as Error).message}` };
  }
  return firstRefusal ? { status: 'refused', message: firstRefusal } : { status: 'missing' };
}

/** O_NONBLOCK: a FIFO swapped in after the check opens at once instead of waiting for a writer. Absent on Windows. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** Reads a located image: checked again on the open handle, capped, with a stall timeout. */
export async function readImageFile(path: string, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new ImageRefused(`image ${path} refused: it became a symbolic link after it was checked`);
    throw e;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ImageRefused(`image ${path} refused: it is ${kindOf(st)}, and only regular files are read as images`);
    return await readCapped(handle, path, limits);
  } finally {
    // Not awaited: after a stalled read, close waits for that read to finish.
    handle.close().catch(() => undefined);
  }
}

/** Reads to the end, at most maxBytes (one more proves the file too big), each read within timeoutMs. */
export async function readCapped(handle: Pick<FileHandle, 'read'>, path: string, limits: ImageLimits): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(Math.min(1 << 20, limits.maxBytes + 1 - total));
    const { bytesRead } = await withTimeout(
      handle.read(buffer, 0, buffer.length, null),
      limits.timeoutMs,
      () => new ImageRefused(`image ${path} refused: reading it stalled for more than ${limits.timeoutMs / 1000} s; check the disk or share it is on`),
    );
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    if (total > limits.maxBytes) {
      throw new ImageRefused(`image ${path} refused: it grew past the ${mib(limits.maxBytes)} cap per image while being read`);
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
