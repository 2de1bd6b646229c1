import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../../storage/index.js';
import { DeltaLog } from './delta-log.js';

describe('DeltaLog commit files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakestream-delta-log-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('records a 63-bit Iceberg snapshot id in commitInfo digit for digit and reads it back exactly', async () => {
    const log = new DeltaLog(new LocalObjectStore(dir, { fsync: false }), 'ns/t');
    const icebergSnapshotId = 9223372036854775001n;
    const written = await log.writeCommit(0, [
      {
        commitInfo: {
          timestamp: 1733472000000,
          operation: 'WRITE',
          lakestream: {
            icebergSnapshotId,
            icebergSequenceNumber: 1,
            icebergSchemaId: 0,
            metadataDigest: 'x',
          },
        },
      },
    ]);
    expect(written).toBe(true);
    const text = await readFile(join(dir, 'ns/t/_delta_log/00000000000000000000.json'), 'utf8');
    expect(text).toContain('"icebergSnapshotId":9223372036854775001,');
    expect((await log.commitInfo(0))?.lakestream?.icebergSnapshotId).toBe(icebergSnapshotId);
  });
});
