import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../../storage/index.js';
import { TableIO } from './table-io.js';
import type { TableMetadata } from './types.js';

describe('TableIO caches', () => {
  let dir: string;
  let io: TableIO;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-table-io-'));
    io = new TableIO(new LocalObjectStore(dir, { fsync: false }));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keeps recently used manifest lists and forgets the rest, however many commits wrote one', async () => {
    const metadata = { location: `file://${dir}/t` } as TableMetadata;
    const uris: string[] = [];
    for (let i = 0; i < 40; i++)
      uris.push(
        await io.writeManifestList(metadata, [], { snapshotId: i + 1, sequenceNumber: i + 1, attempt: 0 }),
      );
    const first = uris[0]!;
    const last = uris.at(-1)!;
    for (const uri of [first, last]) await io.store.delete(io.resolver.resolve(uri).key);
    // the newest list is still served from memory, the oldest was forgotten
    await expect(io.readManifestList(last)).resolves.toEqual([]);
    await expect(io.readManifestList(first)).rejects.toThrow();
  });

  it('forgets the manifests a new snapshot no longer lists', async () => {
    const metadata = { location: `file://${dir}/t` } as TableMetadata;
    const shape = {
      schema: { schemaId: 0, fields: [{ id: 1, name: 'x', required: false, type: 'long' as const }] },
      spec: { specId: 0, fields: [] },
      sequenceNumber: 1,
    };
    const merged = await io.writeManifest(metadata, [], { ...shape, snapshotId: 1 });
    const kept = await io.writeManifest(metadata, [], { ...shape, snapshotId: 2 });
    await io.writeManifestList(metadata, [kept], { snapshotId: 2, sequenceNumber: 2, attempt: 0 });
    for (const manifest of [merged, kept])
      await io.store.delete(io.resolver.resolve(manifest.manifestPath).key);
    await expect(io.readManifestEntries(kept)).resolves.toEqual([]);
    await expect(io.readManifestEntries(merged)).rejects.toThrow();
  });
});
