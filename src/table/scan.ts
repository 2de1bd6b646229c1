import { ErrorCode, lakeError } from '../core/index.js';
import type { Expression } from './expression.js';
import type { BoundExpression } from './expression-eval.js';
import {
  bindExpression,
  dataFileStats,
  manifestStats,
  mightMatch,
  partitionTupleStats,
  projectToPartition,
} from './expression-eval.js';
import { schemaById, snapshotAsOf, snapshotById, specById } from './iceberg/table-metadata.js';
import { transformResultType } from './iceberg/transforms.js';
import type {
  DataFile,
  PartitionSpec,
  PrimitiveType,
  Schema,
  Snapshot,
  SnapshotId,
} from './iceberg/types.js';
import { EntryStatus, FileContent, ManifestContent } from './iceberg/types.js';
import type { PrimitiveValue } from './iceberg/single-value.js';
import type { IcebergTable } from './table.js';
import { primitiveTypes } from './table.js';

/** What to read: a filter for pruning and an optional point in time. */
export interface ScanOptions {
  readonly filter?: Expression;
  readonly snapshotId?: SnapshotId;
  /** Reads the snapshot current at this time (epoch ms). */
  readonly asOfTimestampMs?: number;
}

/** Counters of how much pruning saved. */
export interface ScanMetrics {
  readonly manifestsTotal: number;
  readonly manifestsSkipped: number;
  readonly filesTotal: number;
  readonly filesSkippedByPartition: number;
  readonly filesSkippedByMetrics: number;
}

/** A delete file (position or equality) with its data sequence number. */
export interface PlannedDeleteFile {
  readonly file: DataFile;
  readonly sequenceNumber: number;
}

/** The files a query must open, with the schema to read them with. */
export interface ScanPlan {
  readonly snapshot: Snapshot | undefined;
  readonly schema: Schema;
  readonly files: readonly DataFile[];
  /** Data sequence number of each planned data file, by path. */
  readonly sequenceNumbers: ReadonlyMap<string, number>;
  /** Delete files that may apply to the planned data files (v2 row-level deletes). */
  readonly deletes: readonly PlannedDeleteFile[];
  readonly metrics: ScanMetrics;
}

/**
 * Plans a scan from metadata alone: picks the snapshot, skips manifests whose partition summaries
 * cannot match, then data files by partition values and column bounds.
 */
export async function planScan(table: IcebergTable, options: ScanOptions = {}): Promise<ScanPlan> {
  const metadata = table.metadata;
  const snapshot =
    options.snapshotId !== undefined
      ? snapshotById(metadata, options.snapshotId)
      : options.asOfTimestampMs !== undefined
        ? snapshotAsOf(metadata, options.asOfTimestampMs)
        : table.currentSnapshot();
  const timeTravel = options.snapshotId !== undefined || options.asOfTimestampMs !== undefined;
  const schema = timeTravel ? schemaById(metadata, snapshot?.schemaId) : table.schema();
  const metrics = {
    manifestsTotal: 0,
    manifestsSkipped: 0,
    filesTotal: 0,
    filesSkippedByPartition: 0,
    filesSkippedByMetrics: 0,
  };
  const sequenceNumbers = new Map<string, number>();
  const deletes: PlannedDeleteFile[] = [];
  if (!snapshot) return { snapshot, schema, files: [], sequenceNumbers, deletes, metrics };

  const bound = options.filter ? bindExpression(options.filter, table.schema()) : undefined;
  const types = primitiveTypes(table.schema());
  const projections = new Map<
    number,
    { spec: PartitionSpec; expr: BoundExpression; resultTypes: Map<number, PrimitiveType> }
  >();
  const projectionFor = (
    specId: number,
  ): { spec: PartitionSpec; expr: BoundExpression; resultTypes: Map<number, PrimitiveType> } => {
    let projection = projections.get(specId);
    if (!projection) {
      const spec = specById(metadata, specId);
      const resultTypes = new Map<number, PrimitiveType>();
      for (const field of spec.fields) {
        const sourceType = types.get(field.sourceId);
        if (sourceType) resultTypes.set(field.fieldId, transformResultType(field.transform, sourceType));
      }
      projection = { spec, expr: bound ? projectToPartition(bound, spec) : { op: 'true' }, resultTypes };
      projections.set(specId, projection);
    }
    return projection;
  };

  const files: DataFile[] = [];
  for (const manifest of await table.io.readManifestList(snapshot.manifestList)) {
    metrics.manifestsTotal++;
    if (manifest.content === ManifestContent.DELETES) {
      for (const entry of await table.io.readManifestEntries(manifest)) {
        if (entry.status === EntryStatus.DELETED) continue;
        checkDeleteFileSupported(entry.dataFile, table.name);
        deletes.push({ file: entry.dataFile, sequenceNumber: entry.sequenceNumber ?? 0 });
      }
      continue;
    }
    const projection = projectionFor(manifest.partitionSpecId);
    if (
      bound &&
      !mightMatch(
        projection.expr,
        manifestStats(projection.spec, manifest.partitions, (id) => projection.resultTypes.get(id)),
      )
    ) {
      metrics.manifestsSkipped++;
      continue;
    }
    for (const entry of await table.io.readManifestEntries(manifest)) {
      if (entry.status === EntryStatus.DELETED) continue;
      metrics.filesTotal++;
      const file = entry.dataFile;
      if (bound) {
        const spec = projectionFor(file.specId);
        if (
          !mightMatch(spec.expr, partitionTupleStats(spec.spec, file.partition as (PrimitiveValue | null)[]))
        ) {
          metrics.filesSkippedByPartition++;
          continue;
        }
        if (
          !mightMatch(
            bound,
            dataFileStats(file, (id) => types.get(id)),
          )
        ) {
          metrics.filesSkippedByMetrics++;
          continue;
        }
      }
      files.push(file);
      sequenceNumbers.set(file.filePath, entry.sequenceNumber ?? 0);
    }
  }
  const oldestData = Math.min(...sequenceNumbers.values());
  const applicable = deletes.filter((d) =>
    d.file.content === FileContent.POSITION_DELETES
      ? d.sequenceNumber >= oldestData
      : d.sequenceNumber > oldestData,
  );
  return { snapshot, schema, files, sequenceNumbers, deletes: applicable, metrics };
}

/** Deletion vectors (v3, Puffin) are not read: fail clearly rather than return deleted rows. */
function checkDeleteFileSupported(file: DataFile, table: string): void {
  if (file.fileFormat !== 'PARQUET') {
    throw lakeError(
      ErrorCode.UNSUPPORTED,
      `scan: ${table} has a ${file.fileFormat} delete file (${file.filePath}); deletion vectors (Iceberg v3) and non-Parquet delete files are not supported — rewrite the table's deletes with the engine that wrote them`,
    );
  }
}

/** Data files added by the snapshots after `fromSnapshotId` up to `toSnapshotId` (inclusive). */
export interface IncrementalPlan {
  readonly snapshots: readonly Snapshot[];
  readonly files: readonly DataFile[];
}

/**
 * Lists the data files appended between two snapshots, oldest first: what a streaming reader
 * consumes. `replace` snapshots (compaction) add no new rows and are skipped; `overwrite` and
 * `delete` snapshots fail with LS_UNSUPPORTED, since their removed rows cannot be streamed.
 */
export async function planIncremental(
  table: IcebergTable,
  fromSnapshotId: SnapshotId | undefined,
  toSnapshotId?: SnapshotId,
): Promise<IncrementalPlan> {
  const metadata = table.metadata;
  const end = toSnapshotId === undefined ? table.currentSnapshot() : snapshotById(metadata, toSnapshotId);
  const chain: Snapshot[] = [];
  for (let s = end; s && s.snapshotId !== fromSnapshotId;) {
    chain.unshift(s);
    s =
      s.parentSnapshotId === undefined
        ? undefined
        : metadata.snapshots.find((p) => p.snapshotId === s!.parentSnapshotId);
    if (!s && fromSnapshotId !== undefined) {
      throw lakeError(
        ErrorCode.SNAPSHOT_NOT_FOUND,
        `scan: snapshot ${fromSnapshotId} is not an ancestor of ${end!.snapshotId} on ${table.name} (it may have been expired); restart the reader from a full scan`,
      );
    }
  }
  const files: DataFile[] = [];
  for (const snapshot of chain) {
    const operation = snapshot.summary.operation;
    if (operation === 'replace') continue;
    if (operation !== 'append') {
      throw lakeError(
        ErrorCode.UNSUPPORTED,
        `scan: snapshot ${snapshot.snapshotId} of ${table.name} is an ${operation}; an incremental read cannot follow removed rows — re-read the table from that snapshot`,
      );
    }
    for (const manifest of await table.io.readManifestList(snapshot.manifestList)) {
      if (manifest.addedSnapshotId !== snapshot.snapshotId || manifest.content !== ManifestContent.DATA)
        continue;
      for (const entry of await table.io.readManifestEntries(manifest)) {
        if (entry.status === EntryStatus.ADDED && entry.snapshotId === snapshot.snapshotId)
          files.push(entry.dataFile);
      }
    }
  }
  return { snapshots: chain, files };
}
