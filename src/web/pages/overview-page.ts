import type { SourceStatusView, StreamStatus, SystemStatus } from '../../api/schemas/index.js';
import type { Chart } from '../charts/chart.js';
import { SERIES } from '../charts/chart-colors.js';
import { createSparkline } from '../charts/sparkline.js';
import { h, replaceChildren, setText } from '../dom.js';
import { formatBytes, formatDuration, formatInteger, formatNumber, formatRelative } from '../format.js';
import type { Project } from '../projects.js';
import { RingBuffer } from '../ring-buffer.js';
import { subscribe } from '../sse.js';
import { badge, toneOfState } from '../ui/badge.js';
import type { KpiTile } from '../ui/kpi-tile.js';
import { createKpiTile, kpiRow } from '../ui/kpi-tile.js';
import { createPanel } from '../ui/panel.js';
import type { Page } from './page.js';

const SPARK_POINTS = 300;
const COLORS = [SERIES.blue, SERIES.green, SERIES.orange, SERIES.purple, SERIES.teal];

/** A row of the streams table, kept across status events so sparklines are updated, not rebuilt. */
interface StreamRow {
  readonly element: HTMLTableRowElement;
  readonly cells: Record<
    'rate' | 'acknowledged' | 'silver' | 'quarantined' | 'duplicates' | 'freshness' | 'commit',
    HTMLElement
  >;
  readonly chart: Chart;
  readonly times: RingBuffer<number>;
  readonly rates: RingBuffer<number>;
}

function streamRow(stream: string, color: string): StreamRow {
  const chart = createSparkline(`events-${stream}`, color);
  const cell = (testId?: string): HTMLElement => h('td', { class: 'num', 'data-testid': testId });
  const cells = {
    rate: cell(`stream-rate-${stream}`),
    acknowledged: cell(),
    silver: cell(`stream-silver-${stream}`),
    quarantined: cell(`stream-quarantined-${stream}`),
    duplicates: cell(`stream-duplicates-${stream}`),
    freshness: cell(`stream-freshness-${stream}`),
    commit: cell(),
  };
  const element = h(
    'tr',
    { 'data-stream': stream },
    h('td', {}, h('strong', {}, stream)),
    cells.rate,
    h('td', { class: 'spark-cell' }, chart.element),
    cells.acknowledged,
    cells.silver,
    cells.quarantined,
    cells.duplicates,
    cells.freshness,
    cells.commit,
  );
  return { element, cells, chart, times: new RingBuffer(SPARK_POINTS), rates: new RingBuffer(SPARK_POINTS) };
}

function updateStream(row: StreamRow, status: StreamStatus, time: number): void {
  setText(row.cells.rate, formatNumber(status.eventsPerSecond, 1));
  setText(row.cells.acknowledged, formatInteger(status.acknowledged));
  setText(row.cells.silver, formatInteger(status.silverRows));
  setText(row.cells.quarantined, formatInteger(status.quarantinedRows));
  row.cells.quarantined.dataset.tone = status.quarantinedRows > 0 ? 'warn' : '';
  setText(row.cells.duplicates, formatInteger(status.duplicateRows));
  row.cells.duplicates.title =
    status.droppedRows > 0 ? `${formatInteger(status.droppedRows)} more dropped by a drop rule` : '';
  setText(row.cells.freshness, status.freshnessMs === undefined ? '–' : formatDuration(status.freshnessMs));
  setText(row.cells.commit, formatRelative(status.lastSilverCommitAt, time));
  row.times.push(time / 1000);
  row.rates.push(status.eventsPerSecond);
  row.chart.setData([row.times.toArray() as number[], row.rates.toArray() as number[]]);
}

function sourceBadge(source: SourceStatusView): HTMLElement {
  const label = source.state === 'simulator' ? 'simulator fallback' : source.state;
  return h(
    'li',
    { class: 'source' },
    h('span', { class: 'source-name' }, source.name),
    badge(label, toneOfState(source.state), `source-${source.name.replace(/[^a-z0-9_]+/gi, '-')}`),
    source.detail ? h('span', { class: 'muted small' }, source.detail) : null,
  );
}

/** Live health of one project from its `/v1/system/live` stream. */
function projectSection(project: Project): { element: HTMLElement; close: () => void } {
  const tiles: Record<string, KpiTile> = {
    uptime: createKpiTile('uptime', 'Uptime'),
    cpu: createKpiTile('cpu', 'CPU'),
    memory: createKpiTile('memory', 'Memory (RSS)'),
    lag: createKpiTile('bronze-lag', 'Bronze lag'),
    p50: createKpiTile('batch-p50', 'Batch p50'),
    p95: createKpiTile('batch-p95', 'Batch p95'),
    batches: createKpiTile('micro-batches', 'Micro-batches'),
    quarantined: createKpiTile('quarantined', 'Quarantined'),
  };
  const panel = createPanel({
    title: `Project ${project.name}`,
    testId: `panel-health-${project.name}`,
    subtitle: project.api.baseUrl || location.origin,
  });
  const connection = badge('connecting', 'warn', `connection-${project.name}`);
  panel.setActions(connection);
  const tbody = h('tbody');
  const table = h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table', 'data-testid': `streams-${project.name}` },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Stream',
            'Events/s',
            'Last 5 min',
            'Acknowledged',
            'Silver rows',
            'Quarantined',
            'Duplicates',
            'Freshness',
            'Silver commit',
          ].map((label, i) => h('th', { class: i === 0 || i === 2 ? undefined : 'num' }, label)),
        ),
      ),
      tbody,
    ),
  );
  const sources = h('ul', { class: 'sources', 'data-testid': `sources-${project.name}` });
  const extra = h('p', { class: 'muted small' });
  replaceChildren(
    panel.body,
    kpiRow(Object.values(tiles)),
    h('h3', {}, 'Streams'),
    table,
    h('h3', {}, 'Sources'),
    sources,
    extra,
  );
  const rows = new Map<string, StreamRow>();
  let received = false;
  const onStatus = (status: SystemStatus): void => {
    received = true;
    const p = status.pipeline;
    tiles.uptime!.set(formatDuration(status.uptimeSeconds * 1000));
    tiles.cpu!.set(
      `${formatNumber(status.process.cpuPercent, 1)} %`,
      `event loop lag ${formatNumber(status.process.eventLoopLagMs, 1)} ms`,
      status.process.cpuPercent > 90 ? 'warn' : '',
    );
    tiles.memory!.set(
      formatBytes(status.process.rssBytes),
      `heap ${formatBytes(status.process.heapUsedBytes)}`,
    );
    tiles.lag!.set(
      `${formatInteger(p.bronzeLagEvents)} ev`,
      'acknowledged, not in bronze yet',
      p.bronzeLagEvents > 10_000 ? 'warn' : '',
    );
    tiles.p50!.set(formatDuration(p.batchMsP50), `last ${formatDuration(p.lastBatchMs)}`);
    tiles.p95!.set(formatDuration(p.batchMsP95));
    tiles.batches!.set(formatInteger(p.microBatches), `${formatInteger(p.goldRefreshes)} gold refreshes`);
    tiles.quarantined!.set(
      formatInteger(p.quarantinedRows),
      `of ${formatInteger(p.silverRows + p.quarantinedRows)} rows`,
      p.quarantinedRows > 0 ? 'warn' : '',
    );
    status.streams.forEach((stream, i) => {
      let row = rows.get(stream.stream);
      if (!row) {
        row = streamRow(stream.stream, COLORS[i % COLORS.length]!);
        rows.set(stream.stream, row);
        tbody.append(row.element);
      }
      updateStream(row, stream, status.time);
    });
    replaceChildren(sources, ...status.sources.map(sourceBadge));
    setText(extra, `${formatInteger(p.bronzeRows)} bronze rows · ${formatInteger(p.silverRows)} silver rows`);
    panel.setState(status.streams.length === 0 ? 'empty' : 'ready', 'This project runs no streams.');
  };
  const close = subscribe<SystemStatus>(project.api.url('/v1/system/live'), {
    event: 'status',
    onData: onStatus,
    onState: (state) => {
      replaceChildren(connection, state === 'open' ? 'live' : state);
      connection.className = `badge badge-${state === 'open' ? 'ok' : 'warn'}`;
      if (state === 'reconnecting' && !received)
        panel.setState('error', `No status from ${project.api.url('/v1/system/live')}; retrying…`);
    },
  });
  return {
    element: panel.element,
    close: () => {
      close();
      for (const row of rows.values()) row.chart.destroy();
    },
  };
}

/** Overview: live system health of every project of the process. */
export const overviewPage: Page = ({ root, workspace }) => {
  const sections = workspace.projects.map((project) => {
    if (project.info) return projectSection(project);
    const panel = createPanel({ title: `Project ${project.name}`, testId: `panel-health-${project.name}` });
    panel.setState('error', `Unreachable: ${project.problem ?? 'no answer'}`);
    return { element: panel.element, close: () => undefined };
  });
  replaceChildren(root, h('h1', {}, 'System health'), ...sections.map((s) => s.element));
  return () => sections.forEach((s) => s.close());
};
