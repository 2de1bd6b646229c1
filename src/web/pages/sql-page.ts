import type { QueryAnswer } from '../../api/schemas/index.js';
import { errorText } from '../api-client.js';
import type { Chart } from '../charts/chart.js';
import { createLineChart } from '../charts/line-chart.js';
import { queryChart } from '../charts/query-chart.js';
import { download, toCsv } from '../csv.js';
import { h, replaceChildren, setText } from '../dom.js';
import { formatInteger } from '../format.js';
import type { Project } from '../projects.js';
import { resultTable } from '../ui/data-table.js';
import { createPanel } from '../ui/panel.js';
import { projectHeading } from './project-page.js';
import type { Page } from './page.js';

const TABLE_ROWS = 500;
const STORAGE_KEY = 'lakestream-sql';

function examples(project: Project): string[] {
  const info = project.info;
  if (!info) return [];
  const list: string[] = [];
  for (const stream of info.streams)
    list.push(`SELECT * FROM ${stream.silver} ORDER BY ${stream.eventTime} DESC`);
  for (const gold of info.goldModels.slice(0, 3)) list.push(`SELECT * FROM ${gold.table}`);
  const first = info.streams[0];
  if (first)
    list.push(
      `SELECT date_trunc('minute', ${first.eventTime}) AS minute, count(*) AS rows FROM ${first.silver} GROUP BY 1 ORDER BY 1`,
    );
  return list;
}

/** SQL console: read-only queries over the lake, results as a table and a quick chart, CSV download. */
export const sqlPage: Page = ({ root, params, workspace }) => {
  let project: Project;
  let answer: QueryAnswer | undefined;
  let chart: Chart | undefined;
  let controller: AbortController | undefined;
  const input = h('textarea', {
    class: 'sql-input',
    'data-testid': 'sql-input',
    rows: 6,
    spellcheck: false,
    'aria-label': 'SQL query',
    placeholder: 'SELECT … FROM namespace.table   (Ctrl+Enter runs)',
  });
  const limit = h(
    'select',
    { 'data-testid': 'sql-limit', 'aria-label': 'Row limit' },
    ...[100, 1000, 10_000].map((n) =>
      h('option', { value: n, selected: n === 1000 }, `${formatInteger(n)} rows`),
    ),
  );
  const run = h(
    'button',
    { class: 'btn btn-primary', type: 'button', 'data-testid': 'btn-sql-run' },
    'Run ⌃↵',
  );
  const csv = h(
    'button',
    { class: 'btn', type: 'button', 'data-testid': 'btn-sql-csv', disabled: true },
    'Download CSV',
  );
  const meta = h('span', { class: 'muted small', 'data-testid': 'sql-meta' });
  const chips = h('div', { class: 'chips' });
  const resultsPanel = createPanel({ title: 'Results', testId: 'panel-sql-results' });
  const chartPanel = createPanel({
    title: 'Quick chart',
    testId: 'panel-sql-chart',
    subtitle: 'First column on x, numeric columns on y',
  });
  resultsPanel.setState(
    'empty',
    'Run a query to see its rows. Tables are named namespace.table; time travel with table AT (VERSION => snapshot-id).',
  );
  chartPanel.setState('empty', 'No results yet.');

  const setChips = (): void =>
    replaceChildren(
      chips,
      ...examples(project).map((sql) =>
        h(
          'button',
          { class: 'chip', type: 'button', onclick: () => ((input.value = sql), void execute()) },
          sql,
        ),
      ),
    );

  const execute = async (): Promise<void> => {
    const sql = input.value.trim();
    if (!sql) {
      resultsPanel.setState('empty', 'Type a query first.');
      return;
    }
    localStorage.setItem(STORAGE_KEY, sql);
    controller?.abort();
    controller = new AbortController();
    run.disabled = true;
    resultsPanel.setState('loading', 'Running…');
    chartPanel.setState('loading');
    try {
      answer = await project.api.query(sql, Number(limit.value), controller.signal);
      const shown = answer.rows.slice(0, TABLE_ROWS);
      setText(
        meta,
        `${formatInteger(answer.rows.length)} rows${answer.truncated ? ' (truncated at the limit)' : ''} · ${answer.elapsedMs} ms${shown.length < answer.rows.length ? ` · table shows the first ${TABLE_ROWS}` : ''}`,
      );
      replaceChildren(resultsPanel.body, resultTable(answer.columns, shown, 'table-sql-results'));
      resultsPanel.setState(answer.rows.length === 0 ? 'empty' : 'ready', 'The query returned no rows.');
      csv.disabled = answer.rows.length === 0;
      chart?.destroy();
      chart = undefined;
      const quick = queryChart(answer);
      if (quick.ok) {
        chart = createLineChart('sql', quick.options, quick.data);
        replaceChildren(chartPanel.body, chart.element);
        chartPanel.setState('ready');
      } else {
        replaceChildren(chartPanel.body);
        chartPanel.setState('empty', quick.reason);
      }
    } catch (error) {
      if (controller.signal.aborted) return;
      setText(meta, '');
      csv.disabled = true;
      resultsPanel.setState('error', errorText(error));
      chartPanel.setState('empty', 'No results.');
    } finally {
      run.disabled = false;
    }
  };

  run.addEventListener('click', () => void execute());
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void execute();
    }
  });
  csv.addEventListener('click', () => {
    if (answer)
      download(
        `${project.name}-query.csv`,
        toCsv(
          answer.columns.map((c) => c.name),
          answer.rows,
        ),
      );
  });

  const picked = projectHeading('sql', 'SQL console', workspace, params, (next) => {
    project = next;
    setChips();
  });
  project = picked.project;
  input.value = params.get('q') ?? localStorage.getItem(STORAGE_KEY) ?? examples(project)[0] ?? '';
  setChips();
  replaceChildren(
    root,
    picked.heading,
    h(
      'section',
      { class: 'panel sql-editor' },
      input,
      h('div', { class: 'toolbar' }, run, limit, csv, meta),
      chips,
    ),
    resultsPanel.element,
    chartPanel.element,
  );
  return () => {
    controller?.abort();
    chart?.destroy();
  };
};
