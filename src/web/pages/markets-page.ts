import type { DashboardModel } from '../../api/schemas/index.js';
import type { ApiClient } from '../api-client.js';
import { errorText } from '../api-client.js';
import { createCandleChart, showCandles } from '../charts/candle-chart.js';
import { SERIES } from '../charts/chart-colors.js';
import { createBarChart, histogram } from '../charts/histogram-chart.js';
import { createLineChart } from '../charts/line-chart.js';
import { createScatterChart, scatterSeries } from '../charts/scatter-chart.js';
import { h, replaceChildren } from '../dom.js';
import { formatNumber, formatPrice, formatSigned, formatTime } from '../format.js';
import { projectWithStream } from '../projects.js';
import { replaceParams } from '../router.js';
import { subscribe, throttle } from '../sse.js';
import { rsi, volatilityBps } from '../stats.js';
import { toEpochMs, toNumber } from '../values.js';
import { createKpiTile, kpiRow } from '../ui/kpi-tile.js';
import { createPanel } from '../ui/panel.js';
import type { MarketsSource, Minute, Trade } from './markets-data.js';
import {
  applyTrade,
  forecastPairs,
  loadMinutes,
  loadSymbols,
  TablePresence,
  toCandleData,
  toTrade,
} from './markets-data.js';
import type { Page } from './page.js';
import { missingProject } from './missing-project.js';

const REFRESH_MS = 5_000;
const ACCURACY_REFRESH_MS = 30_000;

async function loadAccuracy(api: ApiClient, table: string): Promise<number[][]> {
  const answer = await api.query(
    `SELECT window_start, avg(mae) AS mae, avg(rmse) AS rmse, avg(band_coverage) AS coverage
     FROM ${table} GROUP BY 1 ORDER BY 1 DESC LIMIT 1440`,
    1440,
  );
  const rows = [...answer.rows].reverse();
  return [
    rows.map((r) => (toEpochMs(r.window_start) ?? 0) / 1000),
    rows.map((r) => toNumber(r.mae) ?? NaN),
    rows.map((r) => toNumber(r.rmse) ?? NaN),
    rows.map((r) => {
      const coverage = toNumber(r.coverage);
      return coverage === null ? NaN : coverage * 100;
    }),
  ];
}

/** Markets: live candles with indicators and the model's forecast, and how good the forecast is. */
export const marketsPage: Page = ({ root, params, workspace }) => {
  const project = projectWithStream(workspace, 'trades');
  if (!project?.info) return missingProject(root, 'Markets', 'trades');
  const api = project.api;
  const info = project.info;
  const stream = info.streams.find((s) => s.stream === 'trades')!;
  const model: DashboardModel | undefined = info.models.find((m) => m.stream === 'trades');
  const source: MarketsSource = {
    silver: stream.silver,
    candles: 'gold.candles_1m',
    summary: 'gold.market_summary_1m',
    ...(model ? { predictionColumn: model.predictionColumn } : {}),
  };

  const tiles = {
    price: createKpiTile('price', 'Live price'),
    prediction: createKpiTile('prediction', 'AI prediction'),
    rsi: createKpiTile('rsi', 'RSI (14)'),
    volatility: createKpiTile('volatility', 'Volatility (20 min σ)'),
  };
  const picker = h('select', { 'data-testid': 'symbol-picker', 'aria-label': 'Symbol' });
  const pricePanel = createPanel({
    title: 'Price',
    testId: 'panel-price',
    subtitle: '1-minute candles, VWAP, Bollinger (20, 2σ), prediction band',
  });
  const scatterPanel = createPanel({
    title: 'Actual vs predicted',
    testId: 'panel-scatter',
    subtitle: 'Return of each minute, basis points',
  });
  const residualPanel = createPanel({
    title: 'Residuals',
    testId: 'panel-residuals',
    subtitle: 'Actual − predicted, basis points',
  });
  const accuracyPanel = createPanel({
    title: 'Live accuracy',
    testId: 'panel-accuracy',
    subtitle: model?.accuracyTable ?? 'no model',
  });
  const priceChart = createCandleChart('price');
  const scatterChart = createScatterChart('scatter', { xLabel: 'Actual (bps)', yLabel: 'Predicted (bps)' });
  const residualChart = createBarChart('residuals', {
    label: 'Minutes',
    color: SERIES.teal,
    xLabel: 'Residual (bps)',
  });
  const accuracyChart = createLineChart('accuracy', {
    series: [
      { label: 'MAE (bps)', color: SERIES.blue },
      { label: 'RMSE (bps)', color: SERIES.orange },
      { label: 'Band coverage (%)', color: SERIES.green, scale: 'y2', dash: [4, 3] },
    ],
    yLabel: 'bps',
    y2Label: '%',
  });
  pricePanel.body.append(priceChart.element);
  scatterPanel.body.append(scatterChart.element);
  residualPanel.body.append(residualChart.element);
  accuracyPanel.body.append(accuracyChart.element);
  const updated = h('span', { class: 'muted small', 'data-testid': 'markets-updated' });
  replaceChildren(
    root,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Markets'),
      h('label', { class: 'picker' }, h('span', { class: 'muted small' }, 'Symbol'), picker),
      updated,
    ),
    kpiRow(Object.values(tiles)),
    pricePanel.element,
    h('div', { class: 'grid-2' }, scatterPanel.element, residualPanel.element),
    accuracyPanel.element,
  );

  const presence = new TablePresence(api);
  let symbol = params.get('symbol') ?? '';
  let minutes: Minute[] = [];
  let lastTrade: Trade | undefined;
  let generation = 0;
  let frame = 0;

  const render = (): void => {
    frame = 0;
    showCandles(priceChart, toCandleData(minutes));
    const closes = minutes.map((m) => m.close);
    const r = rsi(closes);
    tiles.rsi.set(
      r === null ? '–' : formatNumber(r, 1),
      r === null ? 'needs 15 minutes' : r > 70 ? 'overbought' : r < 30 ? 'oversold' : 'neutral',
      r !== null && (r > 70 || r < 30) ? 'warn' : '',
    );
    const vol = volatilityBps(closes);
    tiles.volatility.set(vol === null ? '–' : `${formatNumber(vol, 1)} bps`, 'of 1-minute returns');
    if (lastTrade) {
      const previous = minutes.length > 1 ? minutes[minutes.length - 2]!.close : undefined;
      tiles.price.set(
        formatPrice(lastTrade.price),
        previous
          ? `${formatSigned((lastTrade.price / previous - 1) * 10_000, 1)} bps vs last minute`
          : formatTime(lastTrade.time),
        previous === undefined ? '' : lastTrade.price >= previous ? 'up' : 'down',
      );
      if (lastTrade.predBps !== null) {
        const at = (bps: number | null): string =>
          bps === null ? '–' : formatPrice(lastTrade!.price * (1 + bps / 10_000));
        tiles.prediction.set(
          at(lastTrade.predBps),
          `band ${at(lastTrade.predLoBps)} – ${at(lastTrade.predHiBps)} (${formatSigned(lastTrade.predBps, 1)} bps)`,
          lastTrade.predBps >= 0 ? 'up' : 'down',
        );
      } else tiles.prediction.set('–', model ? 'no promoted model yet' : 'no model declared');
    }
    if (minutes.length === 0)
      pricePanel.setState(
        'empty',
        `No candles for ${symbol || 'any symbol'} yet; trades appear within a few seconds of the stream starting.`,
      );
    else pricePanel.setState('ready');
    const pairs = forecastPairs(minutes);
    scatterChart.setData(scatterSeries(pairs.actual, pairs.predicted));
    residualChart.setData(
      histogram(
        pairs.actual.map((a, i) => a - pairs.predicted[i]!),
        25,
      ),
    );
    const noForecast = model
      ? `No forecasts yet. Train and promote the ${model.name} model (Models page), then wait for a full minute.`
      : 'No model predicts this stream.';
    scatterPanel.setState(pairs.actual.length === 0 ? 'empty' : 'ready', noForecast);
    residualPanel.setState(pairs.actual.length === 0 ? 'empty' : 'ready', noForecast);
  };
  const scheduleRender = (): void => {
    if (frame === 0) frame = requestAnimationFrame(render);
  };

  const refresh = async (): Promise<void> => {
    if (!symbol) return;
    const mine = ++generation;
    try {
      const loaded = await loadMinutes(api, source, symbol, presence);
      if (mine !== generation) return;
      if (lastTrade && lastTrade.symbol === symbol) applyTrade(loaded, lastTrade);
      minutes = loaded;
      updated.textContent = `lake read ${new Date().toLocaleTimeString()}`;
      scheduleRender();
    } catch (error) {
      if (mine === generation) pricePanel.setState('error', errorText(error));
    }
  };
  const refreshAccuracy = async (): Promise<void> => {
    if (!model?.accuracyTable) {
      accuracyPanel.setState('empty', 'No model predicts this stream.');
      return;
    }
    try {
      const data = await loadAccuracy(api, model.accuracyTable);
      accuracyChart.setData(data as [number[], number[], number[], number[]]);
      accuracyPanel.setState(
        data[0]!.length === 0 ? 'empty' : 'ready',
        'No accuracy windows yet: they appear a minute or two after predictions start.',
      );
    } catch (error) {
      accuracyPanel.setState('error', errorText(error));
    }
  };
  const refreshSoon = throttle(refresh, REFRESH_MS);
  const accuracySoon = throttle(refreshAccuracy, ACCURACY_REFRESH_MS);

  const selectSymbol = (next: string): void => {
    symbol = next;
    picker.value = next;
    minutes = [];
    lastTrade = undefined;
    tiles.price.set('–');
    tiles.prediction.set('–');
    replaceParams('markets', { symbol: next });
    pricePanel.setState('loading', `Loading ${next}…`);
    void refresh();
  };
  const setSymbols = (symbols: readonly string[]): void => {
    const known = new Set([...picker.options].map((o) => o.value));
    for (const s of symbols) if (!known.has(s)) picker.append(h('option', { value: s }, s));
    if (!symbol && symbols.length > 0) selectSymbol(symbols.includes('BTCUSDT') ? 'BTCUSDT' : symbols[0]!);
  };
  picker.addEventListener('change', () => selectSymbol(picker.value));

  const start = async (): Promise<void> => {
    try {
      const symbols = await loadSymbols(api, source, presence);
      if (symbol) setSymbols([symbol]);
      setSymbols(symbols);
      if (symbol && minutes.length === 0) selectSymbol(symbol);
      if (symbols.length === 0 && !symbol)
        pricePanel.setState('empty', 'No trades yet; waiting for the first live rows…');
    } catch (error) {
      pricePanel.setState('error', errorText(error));
    }
  };
  void start();
  void refreshAccuracy();
  const close = subscribe<Record<string, unknown>[]>(api.url(`/v1/streams/${stream.stream}/live`), {
    event: 'rows',
    onData: (rows) => {
      const trades = rows
        .map((row) => toTrade(row, source.predictionColumn))
        .filter((t): t is Trade => t !== undefined);
      setSymbols([...new Set(trades.map((t) => t.symbol))]);
      const mine = trades.filter((t) => t.symbol === symbol).sort((a, b) => a.time - b.time);
      for (const trade of mine) {
        applyTrade(minutes, trade);
        lastTrade = trade;
      }
      if (mine.length > 0) scheduleRender();
      refreshSoon();
      accuracySoon();
    },
  });
  return () => {
    close();
    refreshSoon.cancel();
    accuracySoon.cancel();
    if (frame !== 0) cancelAnimationFrame(frame);
    for (const chart of [priceChart, scatterChart, residualChart, accuracyChart]) chart.destroy();
  };
};
