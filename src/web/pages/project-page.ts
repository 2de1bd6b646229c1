import { h } from '../dom.js';
import type { Project, Workspace } from '../projects.js';
import { projectNamed } from '../projects.js';
import { replaceParams } from '../router.js';
import { projectPicker } from '../ui/project-picker.js';

/** The project a page with a switcher shows (`?project=`), and its heading with the switcher. */
export function projectHeading(
  page: string,
  title: string,
  workspace: Workspace,
  params: URLSearchParams,
  onChange: (project: Project) => void,
): { project: Project; heading: HTMLElement } {
  const project = projectNamed(workspace, params.get('project'));
  const heading = h(
    'div',
    { class: 'page-head' },
    h('h1', {}, title),
    projectPicker(workspace, project, (next) => {
      replaceParams(page, { project: next.name });
      onChange(next);
    }),
  );
  return { project, heading };
}
