import { ErrorCode, isLakestreamError, lakeError } from '../../core/index.js';
import type { Catalog, CommitChanges, LoadedTable, TableIdentifier } from '../../table/index.js';
import {
  applyUpdates,
  buildNewTable,
  checkRequirements,
  formatTableIdentifier,
  isCreateRequirement,
} from '../../table/index.js';
import { defaultTableLocation, requireLocationInStore, requireNamespace } from './table-lifecycle.js';

/** How often a commit is re-applied on a newer base when a concurrent commit kept the requirements. */
const COMMIT_ATTEMPTS = 4;

/**
 * Commits a REST `CommitTableRequest` through `catalog.commitTable`: load the current metadata,
 * check the requirements, apply the updates, swap atomically. When another writer committed in
 * between, the change is re-checked against the new metadata and re-applied: a client that
 * asserted the state it built on (`assert-ref-snapshot-id`) then gets LS_COMMIT_CONFLICT (409
 * CommitFailedException), one whose requirements still hold commits, as with Iceberg's own REST
 * server. A request with `assert-create` creates the table (a staged create transaction).
 */
export async function commitTableChanges(
  catalog: Catalog,
  identifier: TableIdentifier,
  changes: CommitChanges,
): Promise<LoadedTable> {
  const name = formatTableIdentifier(identifier);
  if (isCreateRequirement(changes.requirements)) return createByCommit(catalog, identifier, changes);
  for (let attempt = 1; ; attempt++) {
    const base = await catalog.loadTable(identifier);
    checkRequirements(name, base.metadata, changes.requirements);
    if (changes.updates.length === 0) return base;
    const next = applyUpdates(base.metadata, changes.updates);
    if (next.location !== base.metadata.location) requireLocationInStore(catalog, next.location);
    try {
      return await catalog.commitTable(base, next);
    } catch (error) {
      if (!isLakestreamError(error, ErrorCode.COMMIT_CONFLICT) || attempt >= COMMIT_ATTEMPTS) throw error;
    }
  }
}

async function createByCommit(
  catalog: Catalog,
  identifier: TableIdentifier,
  changes: CommitChanges,
): Promise<LoadedTable> {
  const name = formatTableIdentifier(identifier);
  await requireNamespace(catalog, identifier.namespace);
  const exists = await catalog.tableExists(identifier);
  checkRequirements(
    name,
    exists ? (await catalog.loadTable(identifier)).metadata : undefined,
    changes.requirements,
  );
  const metadata = buildNewTable(defaultTableLocation(catalog, identifier), changes.updates);
  requireLocationInStore(catalog, metadata.location);
  try {
    return await catalog.registerTable(identifier, metadata);
  } catch (error) {
    if (!isLakestreamError(error, ErrorCode.TABLE_EXISTS)) throw error;
    throw lakeError(
      ErrorCode.COMMIT_CONFLICT,
      `iceberg commit requirement failed on ${name}: the table was created meanwhile; load it and retry`,
      { cause: error },
    );
  }
}
