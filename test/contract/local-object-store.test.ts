import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/storage/index.js';
import { objectStoreContract } from './object-store.contract.js';

async function makeLocalStore(fsync: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'lakestream-local-store-'));
  return {
    store: new LocalObjectStore(join(dir, 'warehouse'), { fsync }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

objectStoreContract('LocalObjectStore', () => makeLocalStore(true));
objectStoreContract('LocalObjectStore without fsync', () => makeLocalStore(false));
