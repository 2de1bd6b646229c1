import type { TableDetail, TableSummary } from '../../api/schemas/index.js';
import { errorText } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { formatBytes, formatInteger, formatTime } from '../format.js';
import type { Project } from '../projects.js';
import { replaceParams } from '../router.js';
import { badge } from '../ui/badge.js';
import { dataTable, resultTable } from '../ui/data-table.js';
import { createPanel } from '../ui/panel.js';
import { projectHeading } from './project-page.js';
import type { Page } from './page.js';

const PREVIEW_ROWS = 50;
const SUMMARY_KEYS = [
  'added-records',
  'deleted-records',
  'total-records',
  'added-data-files',
  'total-data-files',
  'total-files-size',
];

type History = TableDetail['history'][number];

/** Lake: namespaces and tables, a table's schema, partitioning, snapshots and rows at any snapshot. */
export const lakePage: Page = ({ root, params, workspace }) => {
  const content = h('div', { class: 'lake-layout' });
  let generation = 0;
  const show = (project: Project, table?: string, snapshot?: string): void => {
    const mine = ++generation;
    const tablesPanel = createPanel({ title: 'Tables', testId: 'panel-lake-tables' });
    const detailPanel = createPanel({ title: table ?? 'Table', testId: 'panel-table-detail' });
    const previewPanel = createPanel({ title: 'Rows', testId: 'panel-preview' });
    replaceChildren(
      content,
      tablesPanel.element,
      h('div', { class: 'lake-detail' }, detailPanel.element, previewPanel.element),
    );
    const select = (name: string, at?: string): void => {
      replaceParams('lake', { project: project.name, table: name, snapshot: at });
      show(project, name, at);
    };

    const renderTables = (tables: readonly TableSummary[]): void => {
      const namespaces = [...new Set(tables.map((t) => t.namespace))].sort();
      replaceChildren(
        tablesPanel.body,
        ...namespaces.map((ns) =>
          h(
            'div',
            { class: 'namespace', 'data-namespace': ns },
            h('h3', {}, ns),
            h(
              'ul',
              { class: 'table-list' },
              ...tables
                .filter((t) => t.namespace === ns)
                .map((t) =>
                  h(
                    'li',
                    { class: t.table === table ? 'selected' : undefined },
                    h(
                      'a',
                      {
                        href: '#',
                        'data-testid': 'lake-table',
                        'data-table': t.table,
                        onclick: (e: Event) => (e.preventDefault(), select(t.table)),
                      },
                      t.name,
                    ),
                    h(
                      'span',
                      { class: 'muted small' },
                      `${formatInteger(t.records)} rows · ${formatInteger(t.files)} files · ${formatBytes(t.bytes)} · ${formatInteger(t.snapshots)} snapshots`,
                    ),
                  ),
                ),
            ),
          ),
        ),
      );
      tablesPanel.setState(tables.length === 0 ? 'empty' : 'ready', 'The warehouse has no tables yet.');
    };

    const snapshotTable = (detail: TableDetail): HTMLElement =>
      dataTable(
        [
          { label: 'Snapshot', value: (s: History) => h('code', {}, s.snapshotId) },
          { label: 'When', value: (s) => formatTime(s.timestampMs) },
          { label: 'Operation', value: (s) => badge(s.operation, 'info') },
          ...SUMMARY_KEYS.map((key) => ({
            label: key.replaceAll('-', ' '),
            numeric: true,
            value: (s: History) =>
              key === 'total-files-size' && s.summary[key]
                ? formatBytes(Number(s.summary[key]))
                : (s.summary[key] ?? ''),
          })),
          {
            label: '',
            value: (s) =>
              h(
                'button',
                {
                  class: `btn btn-small ${s.snapshotId === snapshot ? 'btn-primary' : ''}`,
                  type: 'button',
                  'data-testid': 'btn-preview-snapshot',
                  'data-snapshot': s.snapshotId,
                  onclick: () => select(detail.table, s.snapshotId),
                },
                s.snapshotId === snapshot ? 'Viewing' : 'View rows',
              ),
          },
        ],
        detail.history,
        'table-snapshots',
      );

    const renderDetail = (detail: TableDetail): void => {
      replaceChildren(
        detailPanel.body,
        h(
          'dl',
          { class: 'facts', 'data-testid': 'table-facts' },
          ...[
            ['Records', formatInteger(detail.records)],
            ['Data files', formatInteger(detail.files)],
            ['Size', formatBytes(detail.bytes)],
            ['Snapshots', formatInteger(detail.snapshots)],
            ['Current snapshot', detail.currentSnapshotId ?? '–'],
            ['Updated', formatTime(detail.lastUpdatedMs)],
            ['Format', `Iceberg v${detail.formatVersion}`],
            ['Location', detail.location],
          ].flatMap(([k, v]) => [h('dt', {}, k!), h('dd', {}, v!)]),
        ),
        h('h3', {}, 'Schema'),
        dataTable(
          [
            { label: 'Id', value: (f: TableDetail['schema'][number]) => String(f.id), numeric: true },
            { label: 'Column', value: (f) => f.name },
            { label: 'Type', value: (f) => h('code', {}, f.type) },
            { label: 'Required', value: (f) => (f.required ? 'yes' : '') },
          ],
          detail.schema,
          'table-schema',
        ),
        h('h3', {}, 'Partition spec'),
        detail.partitionSpec.length === 0
          ? h('p', { class: 'muted small', 'data-testid': 'table-partitions' }, 'Unpartitioned')
          : dataTable(
              [
                {
                  label: 'Source column',
                  value: (p: TableDetail['partitionSpec'][number]) => p.sourceColumn,
                },
                { label: 'Transform', value: (p) => h('code', {}, p.transform) },
                { label: 'Partition field', value: (p) => p.name },
              ],
              detail.partitionSpec,
              'table-partitions',
            ),
        h('h3', {}, `Snapshots (${formatInteger(detail.history.length)}, newest first)`),
        snapshotTable(detail),
      );
      detailPanel.setState('ready');
    };

    const renderPreview = async (detail: TableDetail): Promise<void> => {
      const at = snapshot ?? detail.currentSnapshotId;
      const picker = h(
        'select',
        { 'data-testid': 'snapshot-picker', 'aria-label': 'Snapshot' },
        ...detail.history.map((s) =>
          h(
            'option',
            { value: s.snapshotId, selected: s.snapshotId === at },
            `${s.snapshotId} · ${formatTime(s.timestampMs)}`,
          ),
        ),
      );
      picker.addEventListener('change', () => select(detail.table, picker.value));
      previewPanel.setActions(
        h('label', { class: 'picker' }, h('span', { class: 'muted small' }, 'At snapshot'), picker),
      );
      if (!at) {
        previewPanel.setState('empty', 'The table has no snapshot yet, so no rows.');
        return;
      }
      try {
        const answer = await project.api.tableRows(detail.table, snapshot, PREVIEW_ROWS);
        if (mine !== generation) return;
        replaceChildren(
          previewPanel.body,
          h(
            'p',
            { class: 'muted small' },
            `First ${formatInteger(answer.rows.length)} rows at snapshot ${at}${answer.truncated ? ' (more exist)' : ''} · ${answer.elapsedMs} ms`,
          ),
          resultTable(answer.columns, answer.rows, 'table-preview'),
        );
        previewPanel.setState(answer.rows.length === 0 ? 'empty' : 'ready', `No rows at snapshot ${at}.`);
      } catch (error) {
        if (mine === generation) previewPanel.setState('error', errorText(error));
      }
    };

    void (async () => {
      try {
        const tables = await project.api.tables();
        if (mine !== generation) return;
        renderTables(tables);
        if (!table) {
          detailPanel.setState('empty', 'Pick a table on the left to see its schema, snapshots and rows.');
          previewPanel.setState('empty', 'No table selected.');
          return;
        }
        const detail = await project.api.table(table);
        if (mine !== generation) return;
        renderDetail(detail);
        await renderPreview(detail);
      } catch (error) {
        if (mine !== generation) return;
        const text = errorText(error);
        if (tablesPanel.element.dataset.state !== 'ready') tablesPanel.setState('error', text);
        detailPanel.setState('error', text);
        previewPanel.setState('error', text);
      }
    })();
  };
  const { project, heading } = projectHeading('lake', 'Lake', workspace, params, (next) => show(next));
  replaceChildren(root, heading, content);
  show(project, params.get('table') ?? undefined, params.get('snapshot') ?? undefined);
  return () => {
    generation++;
  };
};
