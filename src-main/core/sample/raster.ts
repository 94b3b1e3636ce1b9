import sharp from 'sharp';

/** An RGB colour. The sample uses few, saturated colours so that small patches separate them. */
export type Rgb = readonly [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];
export const GREY: Rgb = [190, 190, 190];
export const RED: Rgb = [230, 30, 30];
export const GREEN: Rgb = [20, 170, 40];
export const BLUE: Rgb = [30, 60, 235];
export const YELLOW: Rgb = [245, 200, 0];

export type ColourName = 'red' | 'green' | 'blue' | 'yellow';
export const COLOURS: Record<ColourName, Rgb> = { red: RED, green: GREEN, blue: BLUE, yellow: YELLOW };
export const COLOUR_NAMES: readonly ColourName[] = ['red', 'green', 'blue', 'yellow'];

/**
 * A square RGB canvas drawn pixel by pixel: every primitive is a hard-edged inside test (no
 * anti-aliasing), so a colour is either fully present in a pixel or not at all.
 */
export class Canvas {
  readonly data: Buffer;

  constructor(readonly size: number, background: Rgb = WHITE) {
    this.data = Buffer.alloc(size * size * 3);
    this.fillRect(0, 0, size, size, background);
  }

  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.size || y >= this.size) return;
    const i = (y * this.size + x) * 3;
    this.data[i] = c[0];
    this.data[i + 1] = c[1];
    this.data[i + 2] = c[2];
  }

  get(x: number, y: number): Rgb {
    const i = (y * this.size + x) * 3;
    return [this.data[i], this.data[i + 1], this.data[i + 2]];
  }

  /** Fills the pixels x0 ≤ x < x0 + w, y0 ≤ y < y0 + h. */
  fillRect(x0: number, y0: number, w: number, h: number, c: Rgb): void {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) this.set(x, y, c);
  }

  /** Fills the pixels whose centres lie within radius r of (cx, cy) (pixel-centre coordinates). */
  fillDisc(cx: number, cy: number, r: number, c: Rgb): void {
    const r2 = r * r;
    for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
      for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
        const dx = x + 0.5 - cx;
        const dy = y + 0.5 - cy;
        if (dx * dx + dy * dy <= r2) this.set(x, y, c);
      }
    }
  }

  /** A thick segment: pixels whose centres lie within half the width of the segment. */
  line(x0: number, y0: number, x1: number, y1: number, width: number, c: Rgb): void {
    const half = width / 2;
    const vx = x1 - x0;
    const vy = y1 - y0;
    const len2 = vx * vx + vy * vy || 1;
    const minX = Math.floor(Math.min(x0, x1) - half);
    const maxX = Math.ceil(Math.max(x0, x1) + half);
    const minY = Math.floor(Math.min(y0, y1) - half);
    const maxY = Math.ceil(Math.max(y0, y1) + half);
    for (let y = minY; y <= maxY; y++) {
      for (let x = minX; x <= maxX; x++) {
        const px = x + 0.5 - x0;
        const py = y + 0.5 - y0;
        const t = Math.max(0, Math.min(1, (px * vx + py * vy) / len2));
        const dx = px - t * vx;
        const dy = py - t * vy;
        if (dx * dx + dy * dy <= half * half) this.set(x, y, c);
      }
    }
  }

  /** A copy enlarged by an integer factor with nearest-neighbour sampling (stays hard-edged). */
  upscale(factor: number): Canvas {
    if (factor === 1) return this;
    const out = new Canvas(this.size * factor);
    for (let y = 0; y < out.size; y++) {
      for (let x = 0; x < out.size; x++) out.set(x, y, this.get(Math.floor(x / factor), Math.floor(y / factor)));
    }
    return out;
  }
}

/**
 * Encodes as an 8-bit RGB PNG. Every encoder option is pinned so that the same pixels give the
 * same bytes on every run (the sample's determinism test compares files byte for byte).
 */
export function encodePng(canvas: Canvas): Promise<Buffer> {
  return sharp(canvas.data, { raw: { width: canvas.size, height: canvas.size, channels: 3 } })
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false, progressive: false, effort: 7 })
    .toBuffer();
}
