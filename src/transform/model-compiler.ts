import { ErrorCode, lakeError } from '../core/index.js';
import type { SqlModel } from './sql-model.js';
import { modelTableName } from './sql-model.js';

const INCREMENTAL_BLOCK =
  /\{%-?\s*if\s+is_incremental\(\)\s*-?%\}([\s\S]*?)(?:\{%-?\s*else\s*-?%\}([\s\S]*?))?\{%-?\s*endif\s*-?%\}/g;

/** How to compile: which models exist, and whether the model's own table exists yet. */
export interface CompileContext {
  readonly models: ReadonlyMap<string, SqlModel>;
  /** True when an incremental model's table exists, so its `is_incremental()` blocks apply. */
  readonly incremental: boolean;
}

/**
 * A model's SQL with its templating resolved: `{{ ref('m') }}` becomes the lake table `gold.m` (or,
 * for a view, its compiled SQL as a subquery), `{{ source('ns', 't') }}` becomes `ns.t`,
 * `{{ this }}` the model's own table, and `{% if is_incremental() %} … {% else %} … {% endif %}`
 * keeps the branch that applies. Lake table names are bound to their files when the SQL runs.
 */
export function compileModel(model: SqlModel, context: CompileContext, seen: readonly string[] = []): string {
  if (seen.includes(model.name))
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `models: views ref each other in a cycle: ${[...seen, model.name].join(' → ')}`,
    );
  const resolved = model.body
    .replace(INCREMENTAL_BLOCK, (_all, then: string, otherwise: string | undefined) =>
      context.incremental ? then : (otherwise ?? ''),
    )
    .replace(/\{\{\s*this\s*\}\}/g, modelTableName(model))
    .replace(/\{\{\s*source\s*\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*\}\}/g, '$1.$2')
    .replace(/\{\{\s*ref\s*\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}/g, (_all, name: string) => {
      const target = context.models.get(name);
      if (!target)
        throw lakeError(ErrorCode.INVALID_ARGUMENT, `${model.file}: ref('${name}') names no model`);
      if (target.materialized !== 'view') return modelTableName(target);
      const inner = compileModel(target, { ...context, incremental: false }, [...seen, model.name]);
      return `(${inner}) AS ${name}`;
    });
  const left = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/.exec(resolved);
  if (left)
    throw lakeError(
      ErrorCode.INVALID_ARGUMENT,
      `${model.file}: '${left[0]}' is not supported; use ref(), source(), this and is_incremental()`,
    );
  return resolved.trim().replace(/;\s*$/, '');
}
