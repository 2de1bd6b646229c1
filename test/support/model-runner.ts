import { join } from 'node:path';
import { DuckSession, LakeEngine } from '../../src/engine/index.js';
import { LocalObjectStore } from '../../src/storage/index.js';
import { FilesystemCatalog } from '../../src/table/index.js';
import { loadSqlModels, SqlModelRunner } from '../../src/transform/index.js';

/**
 * Runs `work` with a SQL model runner over a project's warehouse (`<dataDir>/warehouse`) and the
 * models of `projectDir/models`, on an engine of its own that is closed afterwards.
 */
export async function withModelRunner<T>(
  dataDir: string,
  projectDir: string,
  work: (runner: SqlModelRunner, engine: LakeEngine) => Promise<T>,
): Promise<T> {
  const engine = new LakeEngine(
    new FilesystemCatalog(new LocalObjectStore(join(dataDir, 'warehouse'))),
    await DuckSession.open(),
  );
  try {
    return await work(new SqlModelRunner(engine, await loadSqlModels(join(projectDir, 'models'))), engine);
  } finally {
    await engine.close();
  }
}
