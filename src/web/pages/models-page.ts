import type { DashboardModel } from '../../api/schemas/index.js';
import { errorText } from '../api-client.js';
import type { Metrics, ModelVersion } from '../../api/schemas/index.js';
import { h, replaceChildren } from '../dom.js';
import { formatInteger, formatNumber, formatTime } from '../format.js';
import type { Project } from '../projects.js';
import { hrefOf } from '../router.js';
import { badge } from '../ui/badge.js';
import { createPanel } from '../ui/panel.js';
import { projectHeading } from './project-page.js';
import type { Page } from './page.js';

const BASELINE_NAMES: Readonly<Record<string, string>> = {
  mean: 'predict the mean',
  random_forest: 'random forest',
  persistence: 'persistence',
};

function metricsTable(version: ModelVersion): HTMLElement {
  const chosen = version.metrics.selection?.chosen;
  const rows: [string, Metrics | undefined, boolean][] = [
    [chosen ? `model: ${chosen}` : 'model', version.metrics.model, true],
    ...Object.entries(version.metrics.baselines ?? {}).map(([name, m]): [string, Metrics, boolean] => [
      `baseline: ${BASELINE_NAMES[name] ?? name}`,
      m,
      false,
    ]),
  ];
  const best = Math.min(...rows.map(([, m]) => m?.mae ?? Infinity));
  return h(
    'table',
    { class: 'data-table compact', 'data-testid': 'model-metrics' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['', 'MAE', 'RMSE', 'R²', 'Band coverage', 'n'].map((l, i) =>
          h('th', { class: i ? 'num' : undefined }, l),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map(([name, m, isModel]) =>
        h(
          'tr',
          { class: isModel ? 'row-model' : undefined },
          h('td', {}, name, m?.mae === best ? badge('best MAE', 'ok') : null),
          h('td', { class: 'num' }, formatNumber(m?.mae, 4)),
          h('td', { class: 'num' }, formatNumber(m?.rmse, 4)),
          h('td', { class: 'num' }, formatNumber(m?.r2, 4)),
          h(
            'td',
            { class: 'num' },
            m?.coverage === undefined || m.coverage === null ? '–' : `${formatNumber(m.coverage * 100, 1)} %`,
          ),
          h('td', { class: 'num' }, formatInteger(m?.n)),
        ),
      ),
    ),
  );
}

function versionCard(
  project: Project,
  model: DashboardModel,
  version: ModelVersion,
  reload: () => Promise<void>,
): HTMLElement {
  const isChampion = version.aliases.includes(model.alias);
  const message = h('span', { class: 'small muted' });
  const promote = h(
    'button',
    {
      class: 'btn',
      type: 'button',
      'data-testid': 'btn-promote',
      'data-version': version.version,
      disabled: isChampion,
    },
    isChampion ? `Is ${model.alias}` : `Promote to ${model.alias}`,
  );
  const promoteVersion = async (): Promise<void> => {
    promote.disabled = true;
    message.textContent = 'Promoting…';
    try {
      await project.api.setAlias(model.name, model.alias, version.version);
      await reload();
    } catch (error) {
      message.textContent = errorText(error);
      promote.disabled = false;
    }
  };
  promote.addEventListener('click', () => void promoteVersion());
  const rollback = h(
    'button',
    { class: 'btn', type: 'button', 'data-testid': 'btn-rollback', 'data-version': version.version },
    'Roll back',
  );
  const rollBack = async (): Promise<void> => {
    rollback.disabled = true;
    message.textContent = 'Rolling back…';
    try {
      await project.api.rollback(model.name, model.alias);
      await reload();
    } catch (error) {
      message.textContent = errorText(error);
      rollback.disabled = false;
    }
  };
  rollback.addEventListener('click', () => void rollBack());
  const snapshot = String(version.trainingSnapshotId);
  return h(
    'article',
    { class: 'version-card', 'data-testid': 'model-version', 'data-version': version.version },
    h(
      'header',
      { class: 'version-head' },
      h('strong', {}, `v${version.version}`),
      h('span', { class: 'muted small' }, `${version.kind} · ${formatTime(Date.parse(version.createdAt))}`),
      h(
        'span',
        { class: 'badges', 'data-testid': 'model-aliases' },
        ...version.aliases.map((a) => badge(a, a === model.alias ? 'ok' : 'info')),
      ),
    ),
    metricsTable(version),
    version.metrics.promotion
      ? h(
          'p',
          { class: 'small muted', 'data-testid': 'model-promotion' },
          badge(
            version.metrics.promotion.eligible ? 'promotable' : 'not promotable',
            version.metrics.promotion.eligible ? 'ok' : 'warn',
          ),
          ` ${version.metrics.promotion.reason}`,
          version.metrics.candidates && version.metrics.candidates.length > 1
            ? ` · chosen on validation among ${version.metrics.candidates.length} candidates (${version.metrics.candidates.map((c) => `${c.name}: test MAE ${formatNumber(c.test.mae, 3)}, R² ${formatNumber(c.test.r2, 3)}`).join('; ')})`
            : '',
        )
      : null,
    h(
      'p',
      { class: 'small lineage', 'data-testid': 'model-lineage' },
      'Trained on ',
      h(
        'a',
        {
          href: hrefOf('lake', { project: project.name, table: version.trainingTable, snapshot }),
          'data-testid': 'link-lineage',
        },
        `${version.trainingTable} @ ${snapshot}`,
      ),
      ` · ${formatInteger(version.trainingRows)} rows`,
      version.metrics.rows
        ? ` (${Object.entries(version.metrics.rows)
            .map(([k, v]) => `${k} ${formatInteger(v)}`)
            .join(', ')})`
        : '',
    ),
    typeof version.params.reason === 'string'
      ? h(
          'p',
          { class: 'small muted', 'data-testid': 'model-reason' },
          `Why trained: ${version.params.reason}`,
        )
      : null,
    h('div', { class: 'toolbar' }, promote, isChampion ? rollback : null, message),
  );
}

function modelPanel(
  project: Project,
  model: DashboardModel,
  versions: readonly ModelVersion[],
  reload: () => Promise<void>,
  notes: Map<string, string>,
): HTMLElement {
  const panel = createPanel({
    title: model.name,
    testId: `panel-model-${model.name}`,
    subtitle: `${model.algorithm} predicting ${model.target}${model.stream ? ` in stream ${model.stream}` : ''} · serving alias ${model.alias}`,
  });
  const status = h(
    'span',
    { class: 'small muted', 'data-testid': 'train-status' },
    notes.get(model.name) ?? '',
  );
  const train = h(
    'button',
    { class: 'btn btn-primary', type: 'button', 'data-testid': 'btn-train', 'data-model': model.name },
    'Train',
  );
  const promoteNew = h(
    'label',
    { class: 'check small' },
    h('input', { type: 'checkbox', 'data-testid': 'train-promote', checked: versions.length === 0 }),
    ` promote to ${model.alias}`,
  );
  const trainModel = async (): Promise<void> => {
    const started = Date.now();
    train.disabled = true;
    train.classList.add('busy');
    const tick = setInterval(
      () => (status.textContent = `Training… ${Math.round((Date.now() - started) / 1000)} s`),
      500,
    );
    status.textContent = 'Training…';
    try {
      const promote = (promoteNew.querySelector('input') as HTMLInputElement).checked;
      await project.api.train(model.name, promote ? model.alias : undefined);
      status.textContent = `Trained in ${Math.round((Date.now() - started) / 1000)} s`;
      notes.set(model.name, status.textContent);
      await reload();
    } catch (error) {
      status.textContent = errorText(error);
      status.dataset.tone = 'down';
    } finally {
      clearInterval(tick);
      train.disabled = false;
      train.classList.remove('busy');
    }
  };
  train.addEventListener('click', () => void trainModel());
  panel.setActions(status, promoteNew, train);
  const mine = versions.filter((v) => v.name === model.name);
  replaceChildren(panel.body, ...mine.map((v) => versionCard(project, model, v, reload)));
  panel.setState(
    mine.length === 0 ? 'empty' : 'ready',
    `No version of ${model.name} is registered yet. Press Train to train one on its table.`,
  );
  return panel.element;
}

/** Models: registered versions with held-out metrics vs baselines, lineage, aliases, train and promote. */
export const modelsPage: Page = ({ root, params, workspace }) => {
  let disposed = false;
  const notes = new Map<string, string>();
  const content = h('div', {});
  const show = (project: Project): void => {
    const list = createPanel({ title: 'Models', testId: 'panel-models' });
    replaceChildren(content, list.element);
    const reload = async (): Promise<void> => {
      try {
        const versions = await project.api.models();
        if (disposed) return;
        const models = project.info?.models ?? [];
        if (models.length === 0) {
          list.setState('empty', `Project ${project.name} declares no models (models: in lakestream.yaml).`);
          replaceChildren(content, list.element);
          return;
        }
        replaceChildren(content, ...models.map((m) => modelPanel(project, m, versions, reload, notes)));
      } catch (error) {
        list.setState('error', errorText(error));
        replaceChildren(content, list.element);
      }
    };
    void reload();
  };
  const { project, heading } = projectHeading('models', 'Models', workspace, params, show);
  replaceChildren(root, heading, content);
  show(project);
  return () => {
    disposed = true;
  };
};
