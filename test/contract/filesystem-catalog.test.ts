import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { catalogContract } from './catalog.contract.js';

catalogContract('filesystem catalog on the local store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lakestream-catalog-'));
  const store = new LocalObjectStore(dir);
  return { catalog: new FilesystemCatalog(store), cleanup: () => rm(dir, { recursive: true, force: true }) };
});
