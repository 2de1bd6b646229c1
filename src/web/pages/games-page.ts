import { h, replaceChildren } from '../dom.js';
import { replaceParams } from '../router.js';
import { projectWithStream } from '../projects.js';
import { subscribe, throttle } from '../sse.js';
import { createGamesHistory } from './games-history.js';
import { createGamesLive } from './games-live.js';
import { missingProject } from './missing-project.js';
import type { Page } from './page.js';

const HISTORY_REFRESH_MS = 10_000;
const REPLAY_REFRESH_MS = 5_000;

/** Game sales: the history so far by genre, and the live replay with the model's predictions. */
export const gamesPage: Page = ({ root, params, workspace }) => {
  const project = projectWithStream(workspace, 'games');
  if (!project?.info) return missingProject(root, 'Game sales', 'games');
  const stream = project.info.streams.find((s) => s.stream === 'games')!;
  const model = project.info.models.find((m) => m.stream === 'games');
  const history = createGamesHistory(project.api, stream.silver);
  const live = createGamesLive(
    project.api,
    stream.stream,
    stream.silver,
    model?.predictionColumn ?? 'pred_global_sales',
  );
  const tabs = [
    { id: 'historical', label: 'Historical', element: history.element },
    { id: 'live', label: 'Live', element: live.element },
  ];
  const tabBar = h('div', { class: 'tabs', role: 'tablist' });
  const body = h('div', {});
  const select = (id: string): void => {
    const tab = tabs.find((t) => t.id === id) ?? tabs[0]!;
    for (const button of tabBar.querySelectorAll('button'))
      button.setAttribute('aria-selected', String(button.dataset.tab === tab.id));
    replaceChildren(body, tab.element);
    replaceParams('games', { tab: tab.id });
  };
  for (const tab of tabs)
    tabBar.append(
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: 'tab',
          'data-tab': tab.id,
          'data-testid': `tab-${tab.id}`,
          onclick: () => select(tab.id),
        },
        tab.label,
      ),
    );
  replaceChildren(
    root,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Game sales'),
      h('span', { class: 'muted small' }, `project ${project.name}`),
    ),
    tabBar,
    body,
  );
  select(params.get('tab') ?? 'historical');
  void history.refresh();

  const historySoon = throttle(history.refresh, HISTORY_REFRESH_MS);
  const replaySoon = throttle(live.refreshReplay, REPLAY_REFRESH_MS);
  const close = subscribe<Record<string, unknown>[]>(project.api.url(`/v1/streams/${stream.stream}/live`), {
    event: 'rows',
    onData: (rows) => {
      live.addRows(rows);
      historySoon();
      replaySoon();
    },
  });
  return () => {
    close();
    historySoon.cancel();
    replaySoon.cancel();
    history.destroy();
    live.destroy();
  };
};
