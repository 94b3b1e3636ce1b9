import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type Plugin,
} from 'chart.js';

// Register only what the pages draw, so the bundle stays small.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
);

Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
Chart.defaults.font.size = 11;
Chart.defaults.color = '#5d6776';
Chart.defaults.animation = false;

/** Distinguishable colours for series (domains, runs), in a fixed order. */
export const PALETTE = [
  '#2458d3',
  '#d9622b',
  '#1d9a5b',
  '#b8359e',
  '#c9a20b',
  '#0f8fa8',
  '#7a4fd6',
  '#c0392b',
  '#5b6b7f',
  '#6aa84f',
];

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length];
}

export interface Series {
  label: string;
  points: { x: number; y: number }[];
  colour?: string;
  dashed?: boolean;
  /** drawn thin and pale behind the others (raw values under a smoothed line) */
  faint?: boolean;
  /** left out of the legend */
  hideInLegend?: boolean;
}

/**
 * Writes a short text at each drawn point of a chart (a bar's value above it, a point's name
 * beside it), so figures can be read without hovering.
 */
export function labelPoints(chart: Chart, text: (dataset: number, index: number) => string | null, beside = false): void {
  const ctx = chart.ctx;
  ctx.save();
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = beside ? '#5d6776' : '#1c2330';
  ctx.textAlign = beside ? 'left' : 'center';
  ctx.textBaseline = 'bottom';
  chart.data.datasets.forEach((_, i) => {
    const meta = chart.getDatasetMeta(i);
    if (meta.hidden) return;
    meta.data.forEach((el, j) => {
      const t = text(i, j);
      if (t) ctx.fillText(t, el.x + (beside ? 5 : 0), el.y - (beside ? 4 : 2));
    });
  });
  ctx.restore();
}

/** Each bar's value above it (one decimal): on for a bar chart that lists it in `plugins`. */
export const valueLabels: Plugin<'bar'> = {
  id: 'valueLabels',
  afterDatasetsDraw(chart) {
    labelPoints(chart as unknown as Chart, (i, j) => {
      const v = chart.data.datasets[i].data[j];
      return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(1) : null;
    });
  },
};

export { Chart };
