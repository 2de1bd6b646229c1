import type uPlot from 'uplot';
import { fitLine } from '../stats.js';
import type { Chart } from './chart.js';
import { createChart, themedAxis } from './chart.js';
import { SERIES } from './chart-colors.js';

/** Options of {@link createScatterChart}. */
export interface ScatterOptions {
  readonly xLabel: string;
  readonly yLabel: string;
  readonly height?: number;
}

/** Actual (x) against predicted (y) as dots, with the least-squares trend line and y = x. */
export function createScatterChart(name: string, options: ScatterOptions): Chart {
  return createChart(
    name,
    {
      height: options.height ?? 260,
      scales: { x: { time: false }, y: { auto: true } },
      series: [
        { label: options.xLabel },
        {
          label: options.yLabel,
          stroke: SERIES.blue,
          paths: () => null,
          points: { show: true, size: 5, fill: SERIES.blue },
        },
        { label: 'Trend', stroke: SERIES.orange, width: 2, points: { show: false } },
        { label: 'Perfect (y = x)', stroke: SERIES.gray, width: 1, dash: [4, 4], points: { show: false } },
      ],
      axes: [themedAxis({ label: options.xLabel }), themedAxis({ label: options.yLabel, size: 60 })],
      cursor: { drag: { x: true, y: false } },
    },
    [[], [], [], []],
  );
}

/** Sorts points by x and adds the fitted trend and the identity line; `data-points` counts the dots. */
export function scatterSeries(xs: readonly number[], ys: readonly number[]): uPlot.AlignedData {
  const order = xs.map((_x, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const sortedX = order.map((i) => xs[i]!);
  const sortedY = order.map((i) => ys[i]!);
  const fit = fitLine(sortedX, sortedY);
  const trend = sortedX.map((x) => (fit ? fit.intercept + fit.slope * x : null));
  return [sortedX, sortedY, trend, sortedX.slice()] as uPlot.AlignedData;
}
