import type uPlot from 'uplot';
import type { QueryAnswer } from '../../api/schemas/index.js';
import { isNumericType, isTimeType, toEpochMs, toNumber } from '../values.js';
import { SERIES } from './chart-colors.js';
import type { LineChartOptions } from './line-chart.js';

const PALETTE = [SERIES.blue, SERIES.orange, SERIES.green, SERIES.red, SERIES.purple, SERIES.teal];

/** A quick chart of a query answer: options and data, or why it cannot be charted. */
export type QueryChart =
  | { readonly ok: true; readonly options: LineChartOptions; readonly data: uPlot.AlignedData }
  | { readonly ok: false; readonly reason: string };

/** Charts the first column as x and every other numeric column as a line. */
export function queryChart(answer: QueryAnswer): QueryChart {
  const [first, ...rest] = answer.columns;
  const numeric = rest.filter((c) => isNumericType(c.type));
  if (!first || numeric.length === 0 || answer.rows.length === 0)
    return { ok: false, reason: 'A chart needs rows, and numeric columns after the first one (the x axis).' };
  const time = isTimeType(first.type);
  const byNumber = time || isNumericType(first.type);
  let xs: number[];
  let order = answer.rows.map((_r, i) => i);
  let labels: string[] = [];
  if (byNumber) {
    const raw = answer.rows.map((r) =>
      time ? (toEpochMs(r[first.name]) ?? NaN) / 1000 : (toNumber(r[first.name]) ?? NaN),
    );
    order = order.filter((i) => Number.isFinite(raw[i]!)).sort((a, b) => raw[a]! - raw[b]!);
    xs = order.map((i) => raw[i]!);
  } else {
    labels = answer.rows.map((r) => String(r[first.name]));
    xs = order.map((i) => i);
  }
  const data: uPlot.AlignedData = [
    xs,
    ...numeric.map((c) => order.map((i) => toNumber(answer.rows[i]![c.name]))),
  ] as uPlot.AlignedData;
  return {
    ok: true,
    data,
    options: {
      time,
      height: 300,
      xLabel: first.name,
      series: numeric.map((c, i) => ({
        label: c.name,
        color: PALETTE[i % PALETTE.length]!,
        pointsOnly: xs.length < 2,
      })),
      ...(byNumber
        ? {}
        : {
            xValues: (_u: uPlot, ticks: number[]) =>
              ticks.map((t) => (Number.isInteger(t) ? (labels[t] ?? '') : '')),
          }),
    },
  };
}
