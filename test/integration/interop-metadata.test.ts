import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest, readManifestFileRefs } from '../../src/table/iceberg/manifest.js';
import { readManifestList, readManifestPaths } from '../../src/table/iceberg/manifest-list.js';
import {
  applyTransform,
  currentSnapshot,
  decodeSingleValue,
  metadataFromJson,
  type ManifestEntry,
  type TableMetadata,
} from '../../src/table/index.js';
import { sharedDataAvailable, sharedDataPath } from '../support/warehouse.js';

const root = sharedDataPath('iceberg-interop');
const available = sharedDataAvailable(root, 'interop metadata');

/** Maps the object-store URLs recorded by the writers to the copies in shared/data. */
function localFile(url: string): string {
  return join(root, url.replace(/^s3a?:\/\/hyperparam-iceberg\//, ''));
}

function newestMetadata(table: string): TableMetadata {
  const dir = join(root, table, 'metadata');
  const names = readdirSync(dir).filter((n) => n.endsWith('.metadata.json'));
  const version = (n: string): number => Number(/^v?(\d+)/.exec(n)![1]);
  const newest = names.sort((a, b) => version(b) - version(a))[0]!;
  return metadataFromJson(readFileSync(join(dir, newest), 'utf8'), newest);
}

function currentEntries(metadata: TableMetadata): { content: number; entries: ManifestEntry[] }[] {
  const snapshot = currentSnapshot(metadata)!;
  return readManifestList(readFileSync(localFile(snapshot.manifestList))).map((manifest) => ({
    content: manifest.content,
    entries: readManifest(readFileSync(localFile(manifest.manifestPath))).entries.filter(
      (e) => e.status !== 2,
    ),
  }));
}

describe.runIf(available)('reading metadata and manifests written by Spark, the Java API and Athena', () => {
  it('spark/bunnies: data and position-delete manifests, an added column', () => {
    const metadata = newestMetadata('spark/bunnies');
    const schema = metadata.schemas.find((s) => s.schemaId === metadata.currentSchemaId)!;
    expect(schema.fields.map((f) => f.name)).toContain('breed_name_length');
    const manifests = currentEntries(metadata);
    const data = manifests.filter((m) => m.content === 0).flatMap((m) => m.entries);
    const deletes = manifests.filter((m) => m.content === 1).flatMap((m) => m.entries);
    expect(data.length).toBeGreaterThan(0);
    expect(deletes.map((e) => e.dataFile.content)).toContain(1);
    for (const entry of data) expect(entry.dataFile.filePath).toMatch(/^s3a:\/\//);
  });

  it('every manifest and manifest list reads the same paths and statuses when only those are decoded', () => {
    const avroFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? avroFiles(join(dir, e.name)) : e.name.endsWith('.avro') ? [join(dir, e.name)] : [],
      );
    const files = avroFiles(root);
    let lists = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      if (/\/snap-[^/]*\.avro$/.test(file)) {
        lists++;
        expect(readManifestPaths(bytes, file)).toEqual(
          readManifestList(bytes, file).map((m) => m.manifestPath),
        );
      } else {
        const refs = readManifest(bytes, file).entries.map((e) => ({
          status: e.status,
          filePath: e.dataFile.filePath,
        }));
        expect(readManifestFileRefs(bytes, file)).toEqual(refs);
      }
    }
    expect(lists).toBeGreaterThan(3);
    expect(files.length - lists).toBeGreaterThan(3);
  });

  it('java/bunnies: equality deletes name their equality field ids', () => {
    const manifests = currentEntries(newestMetadata('java/bunnies'));
    const equality = manifests.flatMap((m) => m.entries).filter((e) => e.dataFile.content === 2);
    expect(equality.length).toBeGreaterThan(0);
    expect(equality[0]!.dataFile.equalityIds?.length).toBeGreaterThan(0);
  });

  it('spark/rename_column: bucket[4] partition values agree with our Murmur3 bucket transform', () => {
    const metadata = newestMetadata('spark/rename_column');
    const spec = metadata.partitionSpecs.find((s) => s.specId === metadata.defaultSpecId)!;
    expect(spec.fields.map((f) => f.transform)).toEqual(['bucket[4]', 'identity']);
    const idField = metadata.schemas[0]!.fields.find((f) => f.id === spec.fields[0]!.sourceId)!;
    const entries = currentEntries(metadata).flatMap((m) => m.entries);
    expect(entries.reduce((sum, e) => sum + e.dataFile.recordCount, 0)).toBe(4);
    expect(entries.some((e) => e.dataFile.partition[1] === null)).toBe(true);
    let checked = 0;
    for (const entry of entries) {
      const lower = entry.dataFile.lowerBounds?.get(idField.id);
      const upper = entry.dataFile.upperBounds?.get(idField.id);
      if (!lower || !upper || Buffer.compare(lower, upper) !== 0) continue;
      const id = decodeSingleValue(idField.type as 'int' | 'long', lower);
      expect(applyTransform('bucket[4]', idField.type as 'int' | 'long', id)).toBe(
        entry.dataFile.partition[0],
      );
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('athena/example: numbered metadata files without a version hint', () => {
    const metadata = newestMetadata('athena/example');
    const entries = currentEntries(metadata).flatMap((m) => m.entries);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries[0]!.dataFile.filePath).toMatch(/^s3:\/\//);
  });
});
