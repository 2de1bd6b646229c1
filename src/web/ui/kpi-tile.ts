import { h, setText } from '../dom.js';

/** A headline figure; its value element carries `data-testid="kpi-<name>"`. */
export interface KpiTile {
  readonly element: HTMLElement;
  /** Shows a value, an optional note under it and a tone (`up`, `down`, `warn`). */
  set(value: string, note?: string, tone?: 'up' | 'down' | 'warn' | ''): void;
}

/** Creates a KPI tile showing a dash until it gets a value. */
export function createKpiTile(name: string, label: string): KpiTile {
  const value = h('div', { class: 'kpi-value', 'data-testid': `kpi-${name}` }, '–');
  const note = h('div', { class: 'kpi-note muted small' });
  const element = h(
    'div',
    { class: 'kpi', 'data-kpi': name },
    h('div', { class: 'kpi-label' }, label),
    value,
    note,
  );
  return {
    element,
    set(text, noteText = '', tone = '') {
      setText(value, text);
      setText(note, noteText);
      value.dataset.tone = tone;
    },
  };
}

/** A row of KPI tiles. */
export function kpiRow(tiles: readonly KpiTile[]): HTMLElement {
  return h('div', { class: 'kpi-row' }, ...tiles.map((tile) => tile.element));
}
