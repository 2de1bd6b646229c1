/** How a SQL model is stored. */
export type Materialization = 'view' | 'table' | 'incremental' | 'windowed';

/** Where in a model file something was written (1-based line). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** A `{{ ref('name') }}` in a model. */
export interface ModelRef extends SourceLocation {
  readonly name: string;
}

/** A `{{ source('namespace', 'table') }}` in a model. */
export interface ModelSource extends SourceLocation {
  readonly namespace: string;
  readonly table: string;
}

/** A generic or custom test declared for a model; each compiles to SQL returning failing rows. */
export type ModelTest =
  | { readonly kind: 'not_null'; readonly column: string }
  | { readonly kind: 'unique'; readonly columns: readonly string[] }
  | {
      readonly kind: 'accepted_values';
      readonly column: string;
      readonly values: readonly (string | number | boolean)[];
    }
  | { readonly kind: 'relationships'; readonly column: string; readonly to: string; readonly field: string }
  | { readonly kind: 'sql'; readonly name: string; readonly sql: string };

/** One `models/*.sql` file, parsed. */
export interface SqlModel {
  readonly name: string;
  readonly file: string;
  /** The SQL after the config header, still with its `{{ … }}` and `{% … %}` parts. */
  readonly body: string;
  readonly materialized: Materialization;
  /** Namespace of the table it writes (default `gold`). */
  readonly schema: string;
  /** Incremental models: the key new rows replace existing rows on. */
  readonly uniqueKey: readonly string[];
  /** Partition declaration of the table, e.g. `day(minute)`. */
  readonly partitionBy?: {
    readonly column: string;
    readonly transform: 'day' | 'hour' | 'month' | 'identity';
  };
  readonly refs: readonly ModelRef[];
  readonly sources: readonly ModelSource[];
  readonly tests: readonly ModelTest[];
  readonly description?: string;
}

/** The lake table name (`schema.name`) of a model. */
export function modelTableName(model: Pick<SqlModel, 'schema' | 'name'>): string {
  return `${model.schema}.${model.name}`;
}
