import type { Stage } from '../stream/index.js';
import type { SqlModelRunner } from '../transform/index.js';

/**
 * The SQL models as a stage of the loop: after silver tables committed ({@link inputsCommitted}),
 * its next batch refreshes the incremental and windowed models reading them (gold reads committed
 * snapshots, so it follows the commit clock). A failing model does not stop the pipeline — silver
 * is committed already — and the refresh is tried again after the next commit.
 */
export class GoldStage implements Stage<number> {
  readonly kind = 'gold' as const;
  readonly name = 'gold';
  private readonly runner: SqlModelRunner;
  private readonly committed = new Set<string>();

  constructor(runner: SqlModelRunner) {
    this.runner = runner;
  }

  async open(): Promise<void> {}

  /** Notes silver tables that committed since the last refresh. */
  inputsCommitted(tables: readonly string[]): void {
    for (const table of tables) this.committed.add(table);
  }

  /** Refreshes the models reading the committed tables; returns how many models it refreshed. */
  async runOnce(): Promise<number> {
    if (this.committed.size === 0) return 0;
    const tables = [...this.committed];
    this.committed.clear();
    return (await this.runner.refreshAfter(tables)).length;
  }

  async commit(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}
