/** Every scenario, in the order of issue 8 (15, the open loop, from issue 20). */
import { commitHistory } from './commit-history.js';
import { endToEndIngest } from './end-to-end-ingest.js';
import { freshness } from './freshness.js';
import { httpIngestScenario } from './http-ingest.js';
import { idleCost, soak } from './idle-cost.js';
import { inferenceOverhead } from './inference-overhead.js';
import { kill9Cycles } from './kill9-cycles.js';
import { openLoopScenario } from './open-loop.js';
import { rawEngine } from './raw-engine.js';
import { rowWidth } from './row-width.js';
import { scaling } from './scaling.js';
import { scanPruning } from './scan-pruning.js';
import { soakSimulation } from './soak-simulation.js';
import type { Scenario } from './scenario.js';
import { tableAppend } from './table-append.js';

export type { Scenario, ScenarioOutcome } from './scenario.js';
export { PUBLISHED_SINK_FIGURES } from './row-width.js';

export const SCENARIOS: readonly Scenario[] = Object.freeze([
  rawEngine,
  tableAppend,
  endToEndIngest,
  httpIngestScenario,
  inferenceOverhead,
  freshness,
  commitHistory,
  scanPruning,
  scaling,
  kill9Cycles,
  rowWidth,
  idleCost,
  soak,
  soakSimulation,
  openLoopScenario,
]);

/** The scenarios `--only` names (ids or numbers), in run order; throws on an unknown name. */
export function selectScenarios(only: readonly string[] | undefined): readonly Scenario[] {
  if (!only) return SCENARIOS.filter((s) => !s.onRequest);
  for (const name of only) {
    if (!SCENARIOS.some((s) => s.id === name || String(s.number) === name))
      throw new Error(
        `bench: unknown scenario '${name}'; use one of ${SCENARIOS.map((s) => `${s.number}/${s.id}`).join(', ')}`,
      );
  }
  return SCENARIOS.filter((s) => only.includes(s.id) || only.includes(String(s.number)));
}
