import type { LoadedTable, NewTableRequest, TableMetadata } from '../../table/index.js';
import {
  badRequest,
  metadataToJson,
  objectAt,
  partitionFieldsAt,
  schemaAt,
  sortOrderAt,
  stringAt,
  stringMapAt,
} from '../../table/index.js';

/**
 * The spec's `LoadTableResult` as JSON text. The metadata is the same text as the metadata file;
 * `metadata-location` is left out for a staged (not yet committed) table. `config` is empty:
 * lakestream never hands out storage credentials, and the locations are the ones the files have.
 */
export function loadTableResultJson(table: { metadata: TableMetadata; metadataLocation?: string }): string {
  const location =
    table.metadataLocation === undefined
      ? ''
      : `"metadata-location":${JSON.stringify(table.metadataLocation)},`;
  return `{${location}"metadata":${metadataToJson(table.metadata)},"config":{}}`;
}

/** The spec's `CommitTableResponse` as JSON text. */
export function commitTableResponseJson(table: LoadedTable): string {
  return `{"metadata-location":${JSON.stringify(table.metadataLocation)},"metadata":${metadataToJson(table.metadata)}}`;
}

/** A `CreateTableRequest` read into lakestream's types. */
export interface CreateTableBody {
  readonly name: string;
  readonly location?: string;
  readonly stageCreate: boolean;
  readonly table: Omit<NewTableRequest, 'location'>;
}

/** Reads a `CreateTableRequest` body; LS_INVALID_ARGUMENT naming the bad field. */
export function createTableBodyFromJson(value: unknown): CreateTableBody {
  const body = objectAt(value, 'body');
  const stageCreate = body['stage-create'];
  if (stageCreate !== undefined && typeof stageCreate !== 'boolean') {
    throw badRequest('body.stage-create', 'must be a boolean');
  }
  return {
    name: stringAt(body.name, 'body.name'),
    ...(body.location === undefined || body.location === null
      ? {}
      : { location: stringAt(body.location, 'body.location') }),
    stageCreate: stageCreate === true,
    table: {
      schema: schemaAt(body.schema, 'body.schema'),
      ...(body['partition-spec'] === undefined || body['partition-spec'] === null
        ? {}
        : { partitionFields: partitionFieldsAt(body['partition-spec'], 'body.partition-spec') }),
      ...(body['write-order'] === undefined || body['write-order'] === null
        ? {}
        : { sortOrder: sortOrderAt(body['write-order'], 'body.write-order') }),
      ...(body.properties === undefined || body.properties === null
        ? {}
        : { properties: stringMapAt(body.properties, 'body.properties') }),
    },
  };
}
