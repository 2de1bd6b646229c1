import { h, replaceChildren } from '../dom.js';
import { createPanel } from '../ui/panel.js';

/** The empty state of a page whose stream no reachable project runs. */
export function missingProject(root: HTMLElement, title: string, stream: string): () => void {
  const panel = createPanel({ title, testId: 'panel-missing' });
  panel.setState(
    'empty',
    `No reachable project has a '${stream}' stream. Start one (lakestream demo) and reload this page.`,
  );
  replaceChildren(root, h('h1', {}, title), panel.element);
  return () => undefined;
}
