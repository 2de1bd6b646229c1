import type { Workspace } from '../projects.js';

/** What a page gets when it is shown. */
export interface PageContext {
  readonly root: HTMLElement;
  readonly params: URLSearchParams;
  readonly workspace: Workspace;
}

/** Renders a page into `root`; returns the function that stops its streams and timers. */
export type Page = (context: PageContext) => () => void;
