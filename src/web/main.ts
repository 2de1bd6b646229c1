import { ApiError, errorText } from './api-client.js';
import { saveApiKey } from './api-key.js';
import { h, replaceChildren } from './dom.js';
import { gamesPage } from './pages/games-page.js';
import { jobsPage } from './pages/jobs-page.js';
import { lakePage } from './pages/lake-page.js';
import { marketsPage } from './pages/markets-page.js';
import { modelsPage } from './pages/models-page.js';
import { overviewPage } from './pages/overview-page.js';
import type { Page } from './pages/page.js';
import { sqlPage } from './pages/sql-page.js';
import type { Workspace } from './projects.js';
import { loadWorkspace } from './projects.js';
import { currentRoute } from './router.js';
import { applyTheme, initialTheme, themeToggle } from './theme.js';
import { createPanel } from './ui/panel.js';

const PAGES: readonly { readonly id: string; readonly label: string; readonly page: Page }[] = [
  { id: 'overview', label: 'Overview', page: overviewPage },
  { id: 'markets', label: 'Markets', page: marketsPage },
  { id: 'games', label: 'Game sales', page: gamesPage },
  { id: 'models', label: 'Models', page: modelsPage },
  { id: 'jobs', label: 'Jobs', page: jobsPage },
  { id: 'lake', label: 'Lake', page: lakePage },
  { id: 'sql', label: 'SQL', page: sqlPage },
];

function shell(): { main: HTMLElement; nav: HTMLElement; project: HTMLElement } {
  const nav = h(
    'nav',
    { class: 'nav', 'aria-label': 'Pages' },
    ...PAGES.map((p) =>
      h('a', { href: `#/${p.id}`, 'data-testid': `nav-${p.id}`, 'data-page': p.id }, p.label),
    ),
  );
  const project = h('span', { class: 'muted small', 'data-testid': 'home-project' });
  const main = h('main', { class: 'main', id: 'main' });
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '#/overview' }, h('span', { class: 'brand-mark' }, '≋'), 'lakestream'),
    project,
    nav,
    themeToggle(),
  );
  replaceChildren(document.getElementById('app')!, header, main);
  return { main, nav, project };
}

function start(): void {
  applyTheme(initialTheme());
  const { main, nav, project } = shell();
  let workspace: Workspace | undefined;
  let dispose: (() => void) | undefined;
  const show = (): void => {
    const route = currentRoute(
      PAGES.map((p) => p.id),
      'overview',
    );
    for (const link of nav.querySelectorAll<HTMLAnchorElement>('a'))
      link.classList.toggle('active', link.dataset.page === route.page);
    if (!workspace) return;
    dispose?.();
    const root = h('div', { class: 'page', 'data-testid': `page-${route.page}` });
    replaceChildren(main, root);
    window.scrollTo(0, 0);
    dispose = PAGES.find((p) => p.id === route.page)!.page({ root, params: route.params, workspace });
  };
  const load = async (): Promise<void> => {
    const panel = createPanel({ title: 'Connecting to lakestream', testId: 'panel-app' });
    panel.setState('loading', 'Reading /v1/dashboard…');
    replaceChildren(main, panel.element);
    try {
      workspace = await loadWorkspace();
      project.textContent = workspace.home.name;
      show();
    } catch (error) {
      panel.setState('error', `The API did not answer: ${errorText(error)}`);
      const needsKey = error instanceof ApiError && (error.status === 401 || error.status === 403);
      const keyInput = h('input', {
        type: 'password',
        placeholder: 'API key with the read scope',
        'aria-label': 'API key',
        'data-testid': 'api-key-input',
      });
      const useKey = (): void => {
        saveApiKey(keyInput.value);
        void load();
      };
      panel.setActions(
        ...(needsKey
          ? [
              keyInput,
              h(
                'button',
                { class: 'btn btn-primary', type: 'button', onclick: useKey, 'data-testid': 'btn-api-key' },
                'Use key',
              ),
            ]
          : []),
        h('button', { class: 'btn', type: 'button', onclick: () => void load() }, 'Retry'),
      );
    }
  };
  window.addEventListener('hashchange', show);
  show();
  void load();
}

start();
