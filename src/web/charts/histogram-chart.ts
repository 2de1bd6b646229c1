import uPlot from 'uplot';
import type { Chart } from './chart.js';
import { createChart, themedAxis } from './chart.js';
import { withAlpha } from './chart-colors.js';

/** Options of {@link createBarChart}. */
export interface BarChartOptions {
  readonly label: string;
  readonly color: string;
  readonly height?: number;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Labels for x ticks (category bars); bins show their numeric x otherwise. */
  readonly xValues?: uPlot.Axis.Values;
}

/** A bar chart over numeric x (histogram bins or category indexes). */
export function createBarChart(name: string, options: BarChartOptions): Chart {
  const bars = uPlot.paths.bars!({ size: [0.9, 80], align: 0 });
  return createChart(
    name,
    {
      height: options.height ?? 220,
      scales: {
        x: { time: false },
        y: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max * 1.05)] },
      },
      legend: { live: true },
      series: [
        {},
        {
          label: options.label,
          stroke: options.color,
          fill: withAlpha(options.color, 0.5),
          paths: bars,
          points: { show: false },
        },
      ],
      axes: [
        themedAxis({ label: options.xLabel, ...(options.xValues ? { values: options.xValues } : {}) }),
        themedAxis({ label: options.yLabel, size: 50 }),
      ],
    },
    [[], []],
  );
}

/** Bins values into `count` equal-width bins: [bin centres, counts]. */
export function histogram(values: readonly number[], count = 30): [number[], number[]] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [[], []];
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / count;
  const counts = new Array<number>(count).fill(0);
  for (const value of finite) counts[Math.min(count - 1, Math.floor((value - min) / width))]!++;
  return [counts.map((_c, i) => min + width * (i + 0.5)), counts];
}
