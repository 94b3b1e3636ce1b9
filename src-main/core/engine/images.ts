import sharp from 'sharp';

/**
 * Decodes stored images once into raw RGB at the model's input size. Decoded pixels are kept
 * (as bytes) in a process-wide cache, so the several runs of one session decode each image once.
 */
const CACHE_LIMIT_BYTES = 256 * 1024 * 1024;
const cache = new Map<string, Uint8Array>();
let cachedBytes = 0;

export async function decodeRgb(png: Uint8Array, size: number): Promise<Uint8Array> {
  const { data } = await sharp(png)
    .removeAlpha()
    .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface ImageSource {
  /** a stable key of the image (e.g. database path + image id) */
  key: string;
  load(): Uint8Array | Promise<Uint8Array>;
}

/**
 * Decodes `sources` into one Float32Array [n, size, size, 3] scaled to [0, 1]. A source that
 * fails to decode throws an error naming it.
 */
export async function decodeImages(sources: readonly ImageSource[], size: number): Promise<Float32Array> {
  const per = size * size * 3;
  const out = new Float32Array(sources.length * per);
  const concurrency = 16;
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const i = next++;
      const src = sources[i];
      const key = `${src.key}@${size}`;
      let rgb = cache.get(key);
      if (!rgb) {
        try {
          rgb = await decodeRgb(await src.load(), size);
        } catch (e) {
          throw new Error(`cannot decode image ${src.key}: ${(e as Error).message}`);
        }
        remember(key, rgb);
      }
      const o = i * per;
      for (let j = 0; j < per; j++) out[o + j] = rgb[j] / 255;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sources.length) }, worker));
  return out;
}

function remember(key: string, rgb: Uint8Array): void {
  if (cachedBytes + rgb.byteLength > CACHE_LIMIT_BYTES) {
    cache.clear();
    cachedBytes = 0;
  }
  cache.set(key, rgb);
  cachedBytes += rgb.byteLength;
}
