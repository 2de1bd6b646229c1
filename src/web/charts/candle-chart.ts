import type uPlot from 'uplot';
import { formatPrice } from '../format.js';
import type { Chart } from './chart.js';
import { createChart, themedAxis } from './chart.js';
import { SERIES, withAlpha } from './chart-colors.js';

/** Columns of the price chart, aligned on `time` (seconds). */
export interface CandleData {
  readonly time: number[];
  readonly open: (number | null)[];
  readonly high: (number | null)[];
  readonly low: (number | null)[];
  readonly close: (number | null)[];
  readonly vwap: (number | null)[];
  readonly bollingerUpper: (number | null)[];
  readonly bollingerLower: (number | null)[];
  readonly predicted: (number | null)[];
  readonly predictedHigh: (number | null)[];
  readonly predictedLow: (number | null)[];
}

const hidden = (label: string): uPlot.Series => ({
  label,
  stroke: 'transparent',
  paths: () => null,
  points: { show: false },
  value: (_u, v) => formatPrice(v),
});

const line = (label: string, color: string, dash?: number[]): uPlot.Series => ({
  label,
  stroke: color,
  width: 1.5,
  points: { show: false },
  value: (_u, v) => formatPrice(v),
  ...(dash ? { dash } : {}),
});

/** At least ten minutes of x, with half a candle of room at each end. */
function paddedTimeRange(_u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    const now = Date.now() / 1000;
    return [now - 600, now];
  }
  const pad = Math.max(45, (600 - (max - min)) / 2);
  return [min - pad, max + pad];
}

/** Draws one candle per x from series 1–4 (open, high, low, close). */
function drawCandles(u: uPlot): void {
  const [xs, opens, highs, lows, closes] = u.data as unknown as (number | null)[][];
  if (!xs || xs.length === 0) return;
  const [first = 0, last = xs.length - 1] = u.series[0]?.idxs ?? [];
  const ctx = u.ctx;
  const step =
    xs.length > 1
      ? Math.abs(u.valToPos(xs[1]!, 'x', true) - u.valToPos(xs[0]!, 'x', true))
      : 12 * devicePixelRatio;
  const bodyWidth = Math.max(1, Math.min(step * 0.7, 14 * devicePixelRatio));
  ctx.save();
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  for (let i = first; i <= last; i++) {
    const open = opens?.[i];
    const high = highs?.[i];
    const low = lows?.[i];
    const close = closes?.[i];
    if (open == null || high == null || low == null || close == null) continue;
    const x = u.valToPos(xs[i]!, 'x', true);
    const color = close >= open ? SERIES.green : SERIES.red;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = Math.max(1, devicePixelRatio);
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, u.valToPos(high, 'y', true));
    ctx.lineTo(Math.round(x) + 0.5, u.valToPos(low, 'y', true));
    ctx.stroke();
    const top = u.valToPos(Math.max(open, close), 'y', true);
    const bottom = u.valToPos(Math.min(open, close), 'y', true);
    ctx.fillRect(x - bodyWidth / 2, top, bodyWidth, Math.max(1, bottom - top));
  }
  ctx.restore();
}

/** The live price chart: 1-minute candles, VWAP, Bollinger bands and the model's prediction band. */
export function createCandleChart(name: string, height = 340): Chart {
  return createChart(
    name,
    {
      height,
      scales: {
        x: {
          time: true,
          range: paddedTimeRange,
        },
        y: { auto: true },
      },
      series: [
        {},
        hidden('Open'),
        hidden('High'),
        hidden('Low'),
        hidden('Close'),
        line('VWAP', SERIES.orange),
        line('Bollinger upper', SERIES.gray, [4, 4]),
        line('Bollinger lower', SERIES.gray, [4, 4]),
        line('Predicted', SERIES.purple),
        line('Prediction high', withAlpha(SERIES.purple, 0.35), [2, 3]),
        line('Prediction low', withAlpha(SERIES.purple, 0.35), [2, 3]),
      ],
      bands: [
        { series: [6, 7], fill: withAlpha(SERIES.gray, 0.1) },
        { series: [9, 10], fill: withAlpha(SERIES.purple, 0.15) },
      ],
      axes: [themedAxis(), themedAxis({ size: 80, values: (_u, ticks) => ticks.map((t) => formatPrice(t)) })],
      hooks: { draw: [drawCandles] },
      cursor: { drag: { x: true, y: false } },
    },
    [[], [], [], [], [], [], [], [], [], [], []],
  );
}

/**
 * Shows `data` in the price chart, with the x range set explicitly: uPlot's own range for a single
 * time value spans years, which made a chart with its first candle unreadable.
 */
export function showCandles(chart: Chart, data: CandleData): void {
  chart.setData(candleSeries(data));
  const times = data.time.filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  if (times.length === 0) return;
  const [min, max] = paddedTimeRange(chart.plot, Math.min(...times), Math.max(...times));
  chart.plot.setScale('x', { min: min ?? 0, max: max ?? 0 });
}

/** The aligned data of the price chart. */
export function candleSeries(data: CandleData): uPlot.AlignedData {
  return [
    data.time,
    data.open,
    data.high,
    data.low,
    data.close,
    data.vwap,
    data.bollingerUpper,
    data.bollingerLower,
    data.predicted,
    data.predictedHigh,
    data.predictedLow,
  ] as uPlot.AlignedData;
}
