/**
 * The geometry of a virtualised list of fixed-height rows that may be far taller than a
 * browser lets an element be (Chromium stops near 33 million px, Firefox near 17 million): the
 * scroll space is capped, and a scroll position maps linearly onto the full list.
 */

/** Scroll heights above this are scaled down. */
export const MAX_SCROLL_PX = 8_000_000;

export interface VirtualWindow {
  /** height of the element that makes the scroll space */
  spacerHeight: number;
  /** first row to draw, and how many */
  first: number;
  count: number;
  /** top of row `first` in the scroll container's coordinates */
  firstTop: number;
}

/** Which rows to draw for a scroll position, and where. `overscan` rows extra on each side. */
export function virtualWindow(rows: number, rowHeight: number, viewport: number, scrollTop: number, overscan = 4): VirtualWindow {
  const full = rows * rowHeight;
  const spacerHeight = Math.min(full, MAX_SCROLL_PX);
  if (rows === 0 || viewport <= 0) return { spacerHeight, first: 0, count: 0, firstTop: 0 };
  const maxScroll = Math.max(0, spacerHeight - viewport);
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  // Where the viewport's top falls in the full list: exact below the cap, proportional above.
  const offset = maxScroll > 0 ? (top / maxScroll) * Math.max(0, full - viewport) : 0;
  const firstVisible = Math.floor(offset / rowHeight);
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(rows - 1, Math.floor((offset + viewport) / rowHeight) + overscan);
  return { spacerHeight, first, count: last - first + 1, firstTop: top + first * rowHeight - offset };
}

/** The scroll position that brings row `index` into view (aligned to the top, or the bottom). */
export function scrollTopFor(rows: number, rowHeight: number, viewport: number, index: number, currentTop: number): number {
  const full = rows * rowHeight;
  const spacer = Math.min(full, MAX_SCROLL_PX);
  const maxScroll = Math.max(0, spacer - viewport);
  const fullScroll = Math.max(0, full - viewport);
  const toTop = (offset: number): number => (fullScroll > 0 ? (offset / fullScroll) * maxScroll : 0);
  const currentOffset = maxScroll > 0 ? (currentTop / maxScroll) * fullScroll : 0;
  const rowTop = index * rowHeight;
  if (rowTop < currentOffset) return toTop(rowTop);
  if (rowTop + rowHeight > currentOffset + viewport) return toTop(rowTop + rowHeight - viewport);
  return currentTop;
}

/** Pages of `size` rows that cover rows [first, first + count). */
export function pagesFor(first: number, count: number, size: number): number[] {
  if (count <= 0) return [];
  const out: number[] = [];
  for (let p = Math.floor(first / size); p <= Math.floor((first + count - 1) / size); p++) out.push(p);
  return out;
}
