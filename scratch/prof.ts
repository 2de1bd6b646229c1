import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckSession, LakeEngine } from '../src/engine/index.js';
import { LocalObjectStore } from '../src/storage/index.js';
import { FilesystemCatalog } from '../src/table/index.js';

const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const fsync = process.env.FSYNC !== '0';
const engine = new LakeEngine(new FilesystemCatalog(new LocalObjectStore(dir, { fsync })), await DuckSession.open());
await engine.createTable('b.c', { fields: [{ id: 0, name: 'x', required: false, type: 'long' }] });
const N = Number(process.env.N ?? 600);
let t = performance.now();
for (let i = 0; i < N; i++) {
  await engine.append('b.c', `SELECT ${i} AS x`);
  if ((i + 1) % 500 === 0) { const now = performance.now(); console.log(i + 1, ((now - t) / 500).toFixed(1), 'ms/commit'); t = now; }
}
