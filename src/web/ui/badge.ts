import { h } from '../dom.js';

/** The colour of a badge. */
export type Tone = 'ok' | 'warn' | 'error' | 'info' | 'neutral';

/** A small pill with a tone. */
export function badge(text: string, tone: Tone = 'neutral', testId?: string): HTMLElement {
  return h('span', { class: `badge badge-${tone}`, 'data-testid': testId }, text);
}

/** The tone of a source or job state. */
export function toneOfState(state: string): Tone {
  switch (state) {
    case 'connected':
    case 'running':
    case 'succeeded':
    case 'success':
    case 'ok':
      return 'ok';
    case 'reconnecting':
    case 'connecting':
    case 'simulator':
    case 'paused':
    case 'skipped':
    case 'retrying':
      return 'warn';
    case 'failed':
    case 'error':
    case 'stopped':
    case 'timeout':
      return 'error';
    case 'finished':
      return 'info';
    default:
      return 'neutral';
  }
}
