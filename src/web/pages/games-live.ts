import type { ReplayStatus } from '../../api/schemas/index.js';
import type { ApiClient } from '../api-client.js';
import { errorText } from '../api-client.js';
import { SERIES } from '../charts/chart-colors.js';
import { createLineChart } from '../charts/line-chart.js';
import { h, replaceChildren, setText } from '../dom.js';
import { formatInteger, formatNumber, formatSigned } from '../format.js';
import { RingBuffer } from '../ring-buffer.js';
import { badge } from '../ui/badge.js';
import { dataTable } from '../ui/data-table.js';
import { createKpiTile, kpiRow } from '../ui/kpi-tile.js';
import { createPanel } from '../ui/panel.js';
import { toNumber, toText } from '../values.js';

const LAST = 25;

/** A replayed game with its prediction. */
interface LiveGame {
  readonly row: number;
  readonly name: string;
  readonly platform: string;
  readonly genre: string;
  readonly year: string;
  readonly sales: number | null;
  readonly predicted: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly version: string;
}

function toGame(row: Record<string, unknown>, predictionColumn: string): LiveGame | undefined {
  const number = toNumber(row.row);
  if (number === null) return undefined;
  return {
    row: number,
    name: toText(row.name),
    platform: toText(row.platform),
    genre: toText(row.genre),
    year: toText(row.year),
    sales: toNumber(row.global_sales),
    predicted: toNumber(row[predictionColumn]),
    low: toNumber(row.pred_lo),
    high: toNumber(row.pred_hi),
    version: toText(row.model_version),
  };
}

/** The live tab: replay controls, the last game and its prediction, the last 25 games. */
export interface GamesLive {
  readonly element: HTMLElement;
  /** Takes rows from the live stream. */
  addRows(rows: readonly Record<string, unknown>[]): void;
  /** Re-reads the replay status. */
  refreshReplay(): Promise<void>;
  destroy(): void;
}

/** Creates the live tab for a stream replayed from a file. */
export function createGamesLive(
  api: ApiClient,
  stream: string,
  silver: string,
  predictionColumn: string,
): GamesLive {
  const tiles = {
    game: createKpiTile('last-game', 'Last game'),
    real: createKpiTile('real-sales', 'Real sales (M)'),
    predicted: createKpiTile('predicted-sales', 'AI prediction (M)'),
    deviation: createKpiTile('deviation', 'Deviation (M)'),
  };
  const replayPanel = createPanel({ title: 'Replay', testId: 'panel-replay' });
  const chartPanel = createPanel({
    title: 'Real vs predicted',
    testId: 'panel-real-vs-predicted',
    subtitle: `Last ${LAST} games, global sales (M)`,
  });
  const tablePanel = createPanel({ title: `Last ${LAST} games`, testId: 'panel-live-table' });
  const chart = createLineChart('real-vs-predicted', {
    time: false,
    xLabel: 'Row',
    series: [
      { label: 'Real', color: SERIES.blue, width: 2 },
      { label: 'Predicted', color: SERIES.purple, width: 2 },
      { label: 'Band high', color: SERIES.gray, dash: [2, 3], width: 1 },
      { label: 'Band low', color: SERIES.gray, dash: [2, 3], width: 1 },
    ],
    bands: [{ series: [3, 4], color: SERIES.purple }],
    xValues: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')),
  });
  chartPanel.body.append(chart.element);

  const progress = h('progress', { 'data-testid': 'replay-progress', max: 1, value: 0 });
  const progressText = h('span', { class: 'small', 'data-testid': 'replay-row' });
  const state = h('span', { 'data-testid': 'replay-state' });
  const rate = h('input', {
    type: 'number',
    min: 0.1,
    step: 'any',
    'data-testid': 'replay-rate',
    'aria-label': 'Rows per second',
    class: 'input-narrow',
  });
  const pause = h('button', { class: 'btn', type: 'button', 'data-testid': 'btn-replay-pause' }, '❚❚ Pause');
  const resume = h(
    'button',
    { class: 'btn btn-primary', type: 'button', 'data-testid': 'btn-replay-resume' },
    '▶ Resume',
  );
  const applyRate = h(
    'button',
    { class: 'btn', type: 'button', 'data-testid': 'btn-replay-rate' },
    'Set rate',
  );
  const message = h('span', { class: 'small muted', 'data-testid': 'replay-message' });
  replaceChildren(
    replayPanel.body,
    h('div', { class: 'replay-progress' }, progress, progressText, state),
    h(
      'div',
      { class: 'toolbar' },
      pause,
      resume,
      h('label', { class: 'picker' }, h('span', { class: 'muted small' }, 'Rows/s'), rate),
      applyRate,
      message,
    ),
  );
  const element = h(
    'div',
    { class: 'tab-body', 'data-testid': 'games-live' },
    replayPanel.element,
    kpiRow(Object.values(tiles)),
    chartPanel.element,
    tablePanel.element,
  );

  const games = new RingBuffer<LiveGame>(LAST);
  let replay: ReplayStatus | undefined;
  let maxRow = 0;

  const showReplay = (): void => {
    if (!replay) return;
    const row = Math.max(replay.row, maxRow);
    progress.max = Math.max(1, replay.totalRows);
    progress.value = Math.min(row, replay.totalRows);
    const backfill =
      replay.backfillRows > 0
        ? ` · rows 1–${formatInteger(replay.backfillRows)} ${row < replay.backfillRows ? 'coming at once as backfill' : 'backfilled at once'}`
        : '';
    setText(
      progressText,
      `row ${formatInteger(row)} of ${formatInteger(replay.totalRows)} · ${formatNumber(replay.ratePerSecond, 1)} rows/s${backfill}`,
    );
    replaceChildren(
      state,
      replay.finished
        ? badge('finished', 'info')
        : replay.paused
          ? badge('paused', 'warn')
          : badge('running', 'ok'),
    );
    pause.disabled = replay.paused || replay.finished;
    resume.disabled = !replay.paused || replay.finished;
    if (document.activeElement !== rate) rate.value = String(replay.ratePerSecond);
    replayPanel.setState('ready');
  };
  const refreshReplay = async (): Promise<void> => {
    try {
      replay = (await api.replays()).find((r) => r.stream === stream);
      if (replay) showReplay();
      else replayPanel.setState('empty', `No replay feeds the '${stream}' stream.`);
    } catch (error) {
      replayPanel.setState('error', errorText(error));
    }
  };
  const control = async (action: 'pause' | 'resume', newRate?: number): Promise<void> => {
    for (const button of [pause, resume, applyRate]) button.disabled = true;
    setText(message, action === 'pause' ? 'Pausing…' : 'Updating…');
    try {
      replay = await api.controlReplay(stream, action, newRate);
      setText(message, '');
    } catch (error) {
      setText(message, errorText(error));
    }
    applyRate.disabled = false;
    if (replay) showReplay();
    else await refreshReplay();
  };
  pause.addEventListener('click', () => void control('pause'));
  resume.addEventListener('click', () => void control('resume'));
  applyRate.addEventListener('click', () => {
    const value = Number(rate.value);
    if (!Number.isFinite(value) || value <= 0) {
      setText(message, 'Enter a rate above 0 rows per second.');
      return;
    }
    void control(replay?.paused ? 'pause' : 'resume', value);
  });

  const render = (): void => {
    const list = games.toArray();
    const last = list[list.length - 1];
    if (last) {
      tiles.game.set(last.name || '–', `${last.platform} · ${last.genre} · ${last.year}`);
      tiles.real.set(formatNumber(last.sales, 2));
      tiles.predicted.set(
        formatNumber(last.predicted, 2),
        last.predicted === null
          ? 'no promoted model'
          : `band ${formatNumber(last.low, 2)} – ${formatNumber(last.high, 2)} · v${last.version}`,
      );
      const deviation = last.predicted === null || last.sales === null ? null : last.predicted - last.sales;
      tiles.deviation.set(
        formatSigned(deviation, 2),
        deviation === null ? '' : 'predicted − real',
        deviation === null ? '' : Math.abs(deviation) > 1 ? 'warn' : '',
      );
    }
    chart.setData([
      list.map((g) => g.row),
      list.map((g) => g.sales),
      list.map((g) => g.predicted),
      list.map((g) => g.high),
      list.map((g) => g.low),
    ]);
    chartPanel.setState(list.length === 0 ? 'empty' : 'ready', 'Waiting for the first replayed games…');
    replaceChildren(
      tablePanel.body,
      dataTable(
        [
          { label: 'Row', value: (g: LiveGame) => formatInteger(g.row), numeric: true },
          { label: 'Name', value: (g) => g.name },
          { label: 'Platform', value: (g) => g.platform },
          { label: 'Genre', value: (g) => g.genre },
          { label: 'Real (M)', value: (g) => formatNumber(g.sales, 2), numeric: true },
          { label: 'Predicted (M)', value: (g) => formatNumber(g.predicted, 2), numeric: true },
          {
            label: 'Deviation',
            value: (g) =>
              g.predicted === null || g.sales === null ? '–' : formatSigned(g.predicted - g.sales, 2),
            numeric: true,
          },
        ],
        [...list].reverse(),
        'table-live-games',
      ),
    );
    tablePanel.setState(list.length === 0 ? 'empty' : 'ready', 'Waiting for the first replayed games…');
  };

  const addRows = (rows: readonly Record<string, unknown>[]): void => {
    const parsed = rows.map((r) => toGame(r, predictionColumn)).filter((g): g is LiveGame => g !== undefined);
    if (parsed.length === 0) return;
    parsed.sort((a, b) => a.row - b.row);
    const known = new Set(games.toArray().map((g) => g.row));
    games.push(...parsed.filter((g) => !known.has(g.row)));
    games.reset([...games.toArray()].sort((a, b) => a.row - b.row));
    maxRow = Math.max(maxRow, ...parsed.map((g) => g.row));
    showReplay();
    render();
  };

  const load = async (): Promise<void> => {
    try {
      const answer = await api.query(`SELECT * FROM ${silver} ORDER BY row DESC LIMIT ${LAST}`, LAST);
      addRows(answer.rows);
      if (answer.rows.length === 0) render();
    } catch (error) {
      chartPanel.setState('error', errorText(error));
      tablePanel.setState('error', errorText(error));
    }
  };
  void load();
  void refreshReplay();
  return { element, addRows, refreshReplay, destroy: () => chart.destroy() };
}
