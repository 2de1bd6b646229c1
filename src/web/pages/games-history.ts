import type { ApiClient } from '../api-client.js';
import { errorText } from '../api-client.js';
import type { Chart } from '../charts/chart.js';
import { SERIES } from '../charts/chart-colors.js';
import { createLineChart } from '../charts/line-chart.js';
import { h, replaceChildren } from '../dom.js';
import { formatInteger, formatNumber } from '../format.js';
import { dataTable } from '../ui/data-table.js';
import { createKpiTile, kpiRow } from '../ui/kpi-tile.js';
import { createPanel } from '../ui/panel.js';
import { sqlLiteral, toNumber, toText } from '../values.js';

/** The historical tab: KPIs, sales by year, top publishers and the best sellers, by genre. */
export interface GamesHistory {
  readonly element: HTMLElement;
  /** Re-reads the lake (after live rows arrived). */
  refresh(): Promise<void>;
  destroy(): void;
}

/** Creates the historical tab over the silver games table. */
export function createGamesHistory(api: ApiClient, silver: string): GamesHistory {
  const genre = h(
    'select',
    { 'data-testid': 'genre-filter', 'aria-label': 'Genre' },
    h('option', { value: '' }, 'All genres'),
  );
  const tiles = {
    games: createKpiTile('total-games', 'Total games'),
    sales: createKpiTile('total-sales', 'Total sales (M)'),
    year: createKpiTile('best-year', 'Best year'),
    platform: createKpiTile('leading-platform', 'Leading platform'),
  };
  const yearsPanel = createPanel({
    title: 'Sales by year',
    testId: 'panel-sales-by-year',
    subtitle: 'Global sales, millions',
  });
  const publishersPanel = createPanel({
    title: 'Top 10 publishers',
    testId: 'panel-top-publishers',
    subtitle: 'Global sales, millions',
  });
  const tablePanel = createPanel({ title: 'Best sellers', testId: 'panel-games-table' });
  const yearsChart: Chart = createLineChart('sales-by-year', {
    time: false,
    series: [
      { label: 'Global sales (M)', color: SERIES.blue, fill: true, format: (v) => formatNumber(v, 1) },
    ],
    xLabel: 'Year',
    xValues: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')),
  });
  yearsPanel.body.append(yearsChart.element);
  const element = h(
    'div',
    { class: 'tab-body', 'data-testid': 'games-historical' },
    h(
      'div',
      { class: 'toolbar' },
      h('label', { class: 'picker' }, h('span', { class: 'muted small' }, 'Genre'), genre),
    ),
    kpiRow(Object.values(tiles)),
    h('div', { class: 'grid-2' }, yearsPanel.element, publishersPanel.element),
    tablePanel.element,
  );
  let generation = 0;

  const refresh = async (): Promise<void> => {
    const mine = ++generation;
    const where = genre.value ? `WHERE genre = ${sqlLiteral(genre.value)}` : '';
    try {
      const [genres, totals, years, platforms, publishers, best] = await Promise.all([
        api.query(`SELECT DISTINCT genre FROM ${silver} WHERE genre IS NOT NULL ORDER BY 1`, 200),
        api.query(`SELECT count(*) AS games, sum(global_sales) AS sales FROM ${silver} ${where}`),
        api.query(
          `SELECT year, sum(global_sales) AS sales FROM ${silver} ${where ? `${where} AND` : 'WHERE'} year IS NOT NULL GROUP BY 1 ORDER BY 1`,
        ),
        api.query(
          `SELECT platform, sum(global_sales) AS sales FROM ${silver} ${where} GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
        ),
        api.query(
          `SELECT publisher, sum(global_sales) AS sales, count(*) AS games FROM ${silver} ${where ? `${where} AND` : 'WHERE'} publisher IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
        ),
        api.query(
          `SELECT name, platform, year, genre, publisher, global_sales FROM ${silver} ${where} ORDER BY global_sales DESC LIMIT 50`,
        ),
      ]);
      if (mine !== generation) return;
      const known = new Set([...genre.options].map((o) => o.value));
      for (const row of genres.rows)
        if (!known.has(String(row.genre)))
          genre.append(h('option', { value: String(row.genre) }, String(row.genre)));
      const total = totals.rows[0] ?? {};
      const yearRows = years.rows.map((r) => ({
        year: toNumber(r.year) ?? 0,
        sales: toNumber(r.sales) ?? 0,
      }));
      const bestYear = [...yearRows].sort((a, b) => b.sales - a.sales)[0];
      tiles.games.set(formatInteger(toNumber(total.games)));
      tiles.sales.set(formatNumber(toNumber(total.sales), 1));
      tiles.year.set(
        bestYear ? String(bestYear.year) : '–',
        bestYear ? `${formatNumber(bestYear.sales, 1)} M` : '',
      );
      const platform = platforms.rows[0];
      tiles.platform.set(
        platform ? toText(platform.platform) : '–',
        platform ? `${formatNumber(toNumber(platform.sales), 1)} M` : '',
      );
      yearsChart.setData([yearRows.map((r) => r.year), yearRows.map((r) => r.sales)]);
      yearsPanel.setState(yearRows.length === 0 ? 'empty' : 'ready', 'No games with a year yet.');
      renderPublishers(publishers.rows);
      replaceChildren(
        tablePanel.body,
        dataTable(
          [
            { label: 'Name', value: (r: Record<string, unknown>) => toText(r.name) },
            { label: 'Platform', value: (r) => toText(r.platform) },
            { label: 'Year', value: (r) => toText(r.year), numeric: true },
            { label: 'Genre', value: (r) => toText(r.genre) },
            { label: 'Publisher', value: (r) => toText(r.publisher) },
            {
              label: 'Global sales (M)',
              value: (r) => formatNumber(toNumber(r.global_sales), 2),
              numeric: true,
            },
          ],
          best.rows,
          'table-games',
        ),
      );
      tablePanel.setState(best.rows.length === 0 ? 'empty' : 'ready', 'No games replayed yet.');
    } catch (error) {
      if (mine !== generation) return;
      for (const panel of [yearsPanel, publishersPanel, tablePanel])
        panel.setState('error', errorText(error));
    }
  };

  const renderPublishers = (rows: readonly Record<string, unknown>[]): void => {
    const max = Math.max(1e-9, ...rows.map((r) => toNumber(r.sales) ?? 0));
    const list = h(
      'ol',
      { class: 'bar-list', 'data-testid': 'chart-top-publishers', 'data-points': rows.length },
      ...rows.map((r) => {
        const sales = toNumber(r.sales) ?? 0;
        return h(
          'li',
          {},
          h('span', { class: 'bar-label', title: toText(r.publisher) }, toText(r.publisher)),
          h(
            'span',
            { class: 'bar-track' },
            h('span', { class: 'bar-fill', style: `width:${((sales / max) * 100).toFixed(1)}%` }),
          ),
          h('span', { class: 'bar-value num' }, formatNumber(sales, 1)),
        );
      }),
    );
    replaceChildren(publishersPanel.body, list);
    publishersPanel.setState(rows.length === 0 ? 'empty' : 'ready', 'No publishers yet.');
  };

  genre.addEventListener('change', () => {
    for (const panel of [yearsPanel, publishersPanel, tablePanel]) panel.setState('loading');
    void refresh();
  });
  return { element, refresh, destroy: () => yearsChart.destroy() };
}
