import type uPlot from 'uplot';
import type { Chart } from './chart.js';
import { createChart, themedAxis } from './chart.js';
import { withAlpha } from './chart-colors.js';

/** One line of {@link createLineChart}. */
export interface LineSeries {
  readonly label: string;
  readonly color: string;
  /** Fill the area under the line. */
  readonly fill?: boolean;
  readonly dash?: number[];
  readonly width?: number;
  /** `y` (left axis, default) or `y2` (right axis). */
  readonly scale?: 'y' | 'y2';
  /** Dots instead of a line. */
  readonly pointsOnly?: boolean;
  readonly format?: (value: number) => string;
}

/** Options of {@link createLineChart}. */
export interface LineChartOptions {
  readonly height?: number;
  /** Whether x is a time in seconds (default) or a plain number. */
  readonly time?: boolean;
  readonly series: readonly LineSeries[];
  /** Series index pairs [upper, lower] (1-based like uPlot's) to shade between. */
  readonly bands?: readonly { readonly series: [number, number]; readonly color: string }[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly y2Label?: string;
  readonly xValues?: uPlot.Axis.Values;
}

/** A line (or area, or dots) chart of aligned series over x. */
export function createLineChart(name: string, options: LineChartOptions, data?: uPlot.AlignedData): Chart {
  const time = options.time ?? true;
  const hasY2 = options.series.some((s) => s.scale === 'y2');
  const series: uPlot.Series[] = [
    options.xLabel ? { label: options.xLabel } : {},
    ...options.series.map((s): uPlot.Series => ({
      label: s.label,
      stroke: s.color,
      width: s.width ?? 1.5,
      scale: s.scale ?? 'y',
      spanGaps: false,
      ...(s.dash ? { dash: s.dash } : {}),
      ...(s.fill ? { fill: withAlpha(s.color, 0.18) } : {}),
      ...(s.pointsOnly
        ? { paths: () => null, points: { show: true, size: 5, fill: s.color, stroke: s.color } }
        : { points: { show: false } }),
      ...(s.format ? { value: (_u: uPlot, v: number | null) => (v === null ? '–' : s.format!(v)) } : {}),
    })),
  ];
  const axes: uPlot.Axis[] = [
    themedAxis({ label: options.xLabel, ...(options.xValues ? { values: options.xValues } : {}) }),
    themedAxis({ label: options.yLabel, scale: 'y', size: 60 }),
  ];
  if (hasY2)
    axes.push(themedAxis({ label: options.y2Label, scale: 'y2', side: 1, size: 60, grid: { show: false } }));
  const empty: uPlot.AlignedData = [[], ...options.series.map(() => [])];
  return createChart(
    name,
    {
      height: options.height ?? 260,
      scales: { x: { time }, y: { auto: true }, ...(hasY2 ? { y2: { auto: true } } : {}) },
      series,
      axes,
      bands: (options.bands ?? []).map((b) => ({ series: b.series, fill: withAlpha(b.color, 0.15) })),
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    },
    data ?? empty,
  );
}
