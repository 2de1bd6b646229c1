import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalObjectStore } from '../../src/storage/index.js';
import { objectStoreContract } from './object-store.contract.js';
import type { ObjectStoreFixture } from './object-store.contract.js';

async function makeLocalStore(fsync: boolean): Promise<ObjectStoreFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'lakestream-local-store-'));
  const store = new LocalObjectStore(join(dir, 'warehouse'), { fsync });
  return {
    store,
    cleanup: () => rm(dir, { recursive: true, force: true }),
    // What a writer killed between writing its temp file and renaming or linking it leaves behind.
    leaveTemporaryFile: async (besideKey) => {
      const tempName = '.tmp-killed-writer';
      await writeFile(join(dirname(await store.localPath(besideKey)), tempName), 'half-writ');
      return `${besideKey.slice(0, besideKey.lastIndexOf('/') + 1)}${tempName}`;
    },
  };
}

objectStoreContract('LocalObjectStore', () => makeLocalStore(true));
objectStoreContract('LocalObjectStore without fsync', () => makeLocalStore(false));
