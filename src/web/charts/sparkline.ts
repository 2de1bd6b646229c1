import type { Chart } from './chart.js';
import { createChart } from './chart.js';
import { withAlpha } from './chart-colors.js';

/** A tiny area chart without axes or legend (events/s over the last minutes). */
export function createSparkline(name: string, color: string, height = 36): Chart {
  return createChart(
    name,
    {
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: color, fill: withAlpha(color, 0.2), width: 1.5, points: { show: false } }],
    },
    [[], []],
  );
}
