import type { SourceStatusView } from '../api/index.js';

/** The state of each source of a project, as the sources report it (for the health page). */
export class SourceStatusBoard {
  private readonly sources = new Map<string, SourceStatusView>();

  /** Records a source's state; the name is `<type>→<stream>`. */
  set(type: string, stream: string, state: SourceStatusView['state'], detail?: string): void {
    const name = `${type}→${stream}`;
    this.sources.set(name, { name, type, stream, state, ...(detail === undefined ? {} : { detail }) });
  }

  list(): SourceStatusView[] {
    return [...this.sources.values()];
  }
}
