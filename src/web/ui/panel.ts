import type { Child } from '../dom.js';
import { h, replaceChildren, setText } from '../dom.js';

/** What a panel shows: a placeholder while loading, a designed empty or error state, or its body. */
export type PanelState = 'loading' | 'empty' | 'error' | 'ready';

/** A titled card whose `data-state` tells users and tests whether its content is there. */
export interface Panel {
  readonly element: HTMLElement;
  readonly body: HTMLElement;
  /** Sets the state; `message` is the text of the loading, empty or error placeholder. */
  setState(state: PanelState, message?: string): void;
  /** Replaces the header's right-hand side (counts, buttons). */
  setActions(...actions: readonly Child[]): void;
}

const DEFAULT_MESSAGES: Readonly<Record<PanelState, string>> = {
  loading: 'Loading…',
  empty: 'Nothing here yet.',
  error: 'Something went wrong.',
  ready: '',
};

/** Options of {@link createPanel}. */
export interface PanelOptions {
  readonly title: string;
  readonly testId: string;
  readonly subtitle?: string;
  readonly className?: string;
}

/** Creates a panel in the loading state. */
export function createPanel(options: PanelOptions): Panel {
  const actions = h('div', { class: 'panel-actions' });
  const body = h('div', { class: 'panel-body' });
  const icon = h('span', { class: 'panel-status-icon', 'aria-hidden': 'true' });
  const message = h('span', { class: 'panel-status-text' });
  const status = h('div', { class: 'panel-status', role: 'status' }, icon, message);
  const element = h(
    'section',
    {
      class: `panel ${options.className ?? ''}`.trim(),
      'data-testid': options.testId,
      'data-state': 'loading',
    },
    h(
      'header',
      { class: 'panel-header' },
      h(
        'div',
        {},
        h('h2', {}, options.title),
        options.subtitle ? h('p', { class: 'muted small' }, options.subtitle) : null,
      ),
      actions,
    ),
    h('div', { class: 'panel-content' }, body, status),
  );
  const setState = (state: PanelState, text?: string): void => {
    element.dataset.state = state;
    setText(message, text ?? DEFAULT_MESSAGES[state]);
    setText(icon, state === 'error' ? '!' : state === 'empty' ? '∅' : '');
  };
  setState('loading');
  return { element, body, setState, setActions: (...children) => replaceChildren(actions, ...children) };
}
