import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  RadarController,
  RadialLinearScale,
  Tooltip,
} from 'chart.js';

// Register only what the pages draw, so the bundle stays small.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  RadarController,
  RadialLinearScale,
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

export { Chart };
