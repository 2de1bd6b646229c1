import type { DashboardModel } from '../api/index.js';
import type { SilverStreamConfig } from '../stream/index.js';
import { formatTableIdentifier } from '../table/index.js';
import type { SqlModel } from '../transform/index.js';
import { modelTableName } from '../transform/index.js';
import type { ModelConfig } from './model-config.js';
import type { ProjectDescription } from './runtime-dashboard.js';

/** The dashboard's description of a project from what its runtime was started with. */
export function describeProject(project: {
  name: string;
  streams: readonly SilverStreamConfig[];
  models: readonly ModelConfig[];
  sqlModels: readonly SqlModel[];
  jobs: boolean;
}): ProjectDescription {
  return {
    project: project.name,
    streams: project.streams.map((s) => ({
      stream: s.stream,
      silver: formatTableIdentifier(s.silver),
      quarantine: formatTableIdentifier(s.quarantine),
      eventTime: s.eventTime,
      key: s.key,
      columns: s.columns.map((c) => ({ name: c.name, type: c.type })),
    })),
    models: project.models.map((m): DashboardModel => ({
      name: m.name,
      target: m.target,
      alias: m.alias,
      algorithm: m.algorithm ?? 'ridge',
      predictionColumn: `pred_${m.target}`,
      ...(m.stream === undefined ? {} : { stream: m.stream, accuracyTable: `gold.model_accuracy_${m.name}` }),
    })),
    goldModels: project.sqlModels.map((m) => ({
      name: m.name,
      table: modelTableName(m),
      materialized: m.materialized,
    })),
    jobs: project.jobs,
  };
}
