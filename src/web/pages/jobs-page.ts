import { errorText } from '../api-client.js';
import type { JobRun, JobView } from '../../api/schemas/index.js';
import { h, replaceChildren, setText } from '../dom.js';
import { formatDuration, formatRelative, formatTime } from '../format.js';
import type { Project } from '../projects.js';
import { badge, toneOfState } from '../ui/badge.js';
import { dataTable } from '../ui/data-table.js';
import { createPanel } from '../ui/panel.js';
import { projectHeading } from './project-page.js';
import type { Page } from './page.js';

const RUNS = 50;

/** Jobs: schedules, next runs, run-now, and the run history with errors. */
export const jobsPage: Page = ({ root, params, workspace }) => {
  const content = h('div', {});
  let stop = (): void => undefined;
  const show = (project: Project): void => {
    stop();
    let active = true;
    let jobs: JobView[] = [];
    let nextTimer: ReturnType<typeof setTimeout> | undefined;
    const jobsPanel = createPanel({
      title: 'Jobs',
      testId: 'panel-jobs',
      subtitle: 'Schedules of the built-in scheduler',
    });
    const runsPanel = createPanel({
      title: 'Run history',
      testId: 'panel-job-runs',
      subtitle: `Last ${RUNS} attempts, newest first`,
    });
    replaceChildren(content, jobsPanel.element, runsPanel.element);
    if (project.info && !project.info.jobs) {
      jobsPanel.setState('empty', `Project ${project.name} runs no scheduler (jobs: in lakestream.yaml).`);
      runsPanel.setState('empty', 'No runs.');
      stop = () => undefined;
      return;
    }
    const running = new Set<string>();
    const renderJobs = (): void => {
      replaceChildren(
        jobsPanel.body,
        dataTable(
          [
            {
              label: 'Job',
              value: (j: JobView) =>
                h(
                  'span',
                  {},
                  h('strong', {}, j.name),
                  j.description ? h('div', { class: 'muted small' }, j.description) : null,
                ),
            },
            { label: 'Schedule', value: (j) => h('code', {}, j.schedule) },
            {
              label: 'Next run',
              value: (j) =>
                j.nextRunAt
                  ? h(
                      'span',
                      { title: formatTime(j.nextRunAt), 'data-next': j.nextRunAt },
                      formatRelative(j.nextRunAt),
                    )
                  : '–',
            },
            { label: 'After', value: (j) => (j.dependsOn.length ? j.dependsOn.join(', ') : '–') },
            {
              label: 'State',
              value: (j) =>
                j.running || running.has(j.name) ? badge('running', 'ok') : badge('idle', 'neutral'),
            },
            {
              label: '',
              value: (j) => {
                const button = h(
                  'button',
                  {
                    class: 'btn',
                    type: 'button',
                    'data-testid': 'btn-run-job',
                    'data-job': j.name,
                    disabled: j.running || running.has(j.name),
                  },
                  running.has(j.name) ? 'Running…' : 'Run now',
                );
                button.addEventListener('click', () => void runNow(j.name));
                return button;
              },
            },
          ],
          jobs,
          'table-jobs',
        ),
      );
      jobsPanel.setState(jobs.length === 0 ? 'empty' : 'ready', 'No jobs are scheduled.');
    };
    const renderRuns = (runs: readonly JobRun[]): void => {
      replaceChildren(
        runsPanel.body,
        dataTable(
          [
            { label: 'Job', value: (r: JobRun) => r.job },
            { label: 'Status', value: (r) => badge(r.status, toneOfState(r.status)) },
            { label: 'Started', value: (r) => formatTime(r.startedAt) },
            { label: 'Took', value: (r) => formatDuration(r.endedAt - r.startedAt), numeric: true },
            { label: 'Attempt', value: (r) => String(r.attempt), numeric: true },
            { label: 'Trigger', value: (r) => r.trigger },
            {
              label: 'Result',
              value: (r) => (r.error ? h('pre', { class: 'error-text' }, r.error) : (r.summary ?? '')),
            },
          ],
          runs,
          'table-job-runs',
        ),
      );
      runsPanel.setState(
        runs.length === 0 ? 'empty' : 'ready',
        'No job has run yet. Press Run now, or wait for a schedule.',
      );
    };
    const reload = async (): Promise<void> => {
      try {
        const [list, runs] = await Promise.all([project.api.jobs(), project.api.jobRuns(RUNS)]);
        if (!active) return;
        jobs = list;
        renderJobs();
        renderRuns(runs);
        scheduleNext();
      } catch (error) {
        if (!active) return;
        jobsPanel.setState('error', errorText(error));
        runsPanel.setState('error', errorText(error));
      }
    };
    // Re-read when the next scheduled run should have finished (no polling between runs).
    const scheduleNext = (): void => {
      if (nextTimer !== undefined) clearTimeout(nextTimer);
      const next = Math.min(...jobs.map((j) => j.nextRunAt ?? Infinity));
      const wait = Number.isFinite(next)
        ? Math.min(Math.max(next - Date.now() + 3000, 3000), 2 ** 31 - 1)
        : undefined;
      nextTimer = wait === undefined ? undefined : setTimeout(() => void reload(), wait);
    };
    const runNow = async (name: string): Promise<void> => {
      running.add(name);
      renderJobs();
      try {
        await project.api.runJob(name);
      } catch (error) {
        runsPanel.setActions(h('span', { class: 'error-text small' }, `${name}: ${errorText(error)}`));
      }
      running.delete(name);
      await reload();
    };
    const ticker = setInterval(() => {
      for (const cell of jobsPanel.body.querySelectorAll<HTMLElement>('[data-next]'))
        setText(cell, formatRelative(Number(cell.dataset.next)));
    }, 1000);
    void reload();
    stop = () => {
      active = false;
      clearInterval(ticker);
      if (nextTimer !== undefined) clearTimeout(nextTimer);
    };
  };
  const { project, heading } = projectHeading('jobs', 'Jobs', workspace, params, show);
  replaceChildren(root, heading, content);
  show(project);
  return () => stop();
};
