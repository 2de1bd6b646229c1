import type { Child } from '../dom.js';
import { h } from '../dom.js';
import { formatCell } from '../format.js';

/** One column of {@link dataTable}. */
export interface Column<Row> {
  readonly label: string;
  readonly value: (row: Row) => Child;
  readonly numeric?: boolean;
}

/** A scrollable table; `testId` goes on the `<table>` and each body row gets `data-row`. */
export function dataTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  testId: string,
): HTMLElement {
  const head = h('tr', {}, ...columns.map((c) => h('th', { class: c.numeric ? 'num' : undefined }, c.label)));
  const body = rows.map((row, i) =>
    h(
      'tr',
      { 'data-row': i },
      ...columns.map((c) => h('td', { class: c.numeric ? 'num' : undefined }, c.value(row))),
    ),
  );
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data-table', 'data-testid': testId, 'data-rows': rows.length },
      h('thead', {}, head),
      h('tbody', {}, ...body),
    ),
  );
}

/** A table of query results (columns with SQL types, rows as JSON objects). */
export function resultTable(
  columns: readonly { readonly name: string; readonly type: string }[],
  rows: readonly Record<string, unknown>[],
  testId: string,
): HTMLElement {
  return dataTable(
    columns.map((column) => ({
      label: column.name,
      numeric: /INT|DOUBLE|FLOAT|DECIMAL|REAL|LONG/i.test(column.type),
      value: (row: Record<string, unknown>) => {
        const value = row[column.name];
        return value === null || value === undefined
          ? h('span', { class: 'null' }, 'NULL')
          : formatCell(value);
      },
    })),
    rows,
    testId,
  );
}
