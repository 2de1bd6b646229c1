import { h } from '../dom.js';
import type { Project, Workspace } from '../projects.js';

/** A select of the reachable projects (`data-testid="project-picker"`). */
export function projectPicker(
  workspace: Workspace,
  selected: Project,
  onChange: (project: Project) => void,
): HTMLElement {
  const select = h(
    'select',
    { 'data-testid': 'project-picker', 'aria-label': 'Project' },
    ...workspace.projects.map((project) =>
      h(
        'option',
        {
          value: project.name,
          selected: project.name === selected.name,
          disabled: project.info === undefined,
        },
        project.info ? project.name : `${project.name} (unreachable)`,
      ),
    ),
  );
  select.addEventListener('change', () => {
    const project = workspace.projects.find((p) => p.name === select.value);
    if (project) onChange(project);
  });
  return h('label', { class: 'picker' }, h('span', { class: 'muted small' }, 'Project'), select);
}
