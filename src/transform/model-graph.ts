import { ErrorCode, lakeError } from '../core/index.js';
import type { SqlModel } from './sql-model.js';

/** Models in dependency order, with who depends on whom. */
export interface ModelGraph {
  /** Every model after the models it refs. */
  readonly ordered: readonly SqlModel[];
  /** Model name → names of the models it refs. */
  readonly parents: ReadonlyMap<string, readonly string[]>;
  /** Model name → names of the models that ref it. */
  readonly children: ReadonlyMap<string, readonly string[]>;
}

/**
 * Orders models so each comes after the models it refs. Unknown refs and cycles are errors that
 * name the file and line of the offending `ref()`.
 */
export function buildModelGraph(models: readonly SqlModel[]): ModelGraph {
  const byName = new Map(models.map((m) => [m.name, m]));
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>(models.map((m) => [m.name, []]));
  for (const model of models) {
    for (const ref of model.refs)
      if (!byName.has(ref.name))
        throw lakeError(
          ErrorCode.INVALID_ARGUMENT,
          `${ref.file}:${ref.line}: ref('${ref.name}') names no model; models: ${[...byName.keys()].join(', ')}`,
        );
    const unique = [...new Set(model.refs.map((r) => r.name))];
    parents.set(model.name, unique);
    for (const parent of unique) children.get(parent)!.push(model.name);
  }
  const ordered: SqlModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (model: SqlModel, path: SqlModel[]): void => {
    if (state.get(model.name) === 'done') return;
    if (state.get(model.name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(model)), model];
      const steps = cycle.slice(0, -1).map((m, i) => {
        const ref = m.refs.find((r) => r.name === cycle[i + 1]!.name)!;
        return `${m.name} → ${ref.name} (${ref.file}:${ref.line})`;
      });
      throw lakeError(ErrorCode.INVALID_ARGUMENT, `models: a cycle of refs: ${steps.join(', ')}`);
    }
    state.set(model.name, 'visiting');
    for (const parent of parents.get(model.name)!) visit(byName.get(parent)!, [...path, model]);
    state.set(model.name, 'done');
    ordered.push(model);
  };
  for (const model of models) visit(model, []);
  return { ordered, parents, children };
}

/**
 * The models a selection names, in dependency order: `name`, `name+` (and everything downstream),
 * `+name` (and everything upstream); several selectors separated by spaces or commas. No selection
 * means all models.
 */
export function selectModels(graph: ModelGraph, selection?: string): SqlModel[] {
  if (!selection || selection.trim() === '') return [...graph.ordered];
  const chosen = new Set<string>();
  const walk = (name: string, edges: ReadonlyMap<string, readonly string[]>): void => {
    if (chosen.has(name) && edges.get(name)!.every((n) => chosen.has(n))) return;
    chosen.add(name);
    for (const next of edges.get(name) ?? []) walk(next, edges);
  };
  for (const selector of selection.split(/[\s,]+/).filter(Boolean)) {
    const name = selector.replace(/^\+|\+$/g, '');
    if (!graph.parents.has(name))
      throw lakeError(
        ErrorCode.NOT_FOUND,
        `models: --select '${selector}' names no model; models: ${[...graph.parents.keys()].join(', ')}`,
      );
    chosen.add(name);
    if (selector.endsWith('+')) walk(name, graph.children);
    if (selector.startsWith('+')) walk(name, graph.parents);
  }
  return graph.ordered.filter((m) => chosen.has(m.name));
}
