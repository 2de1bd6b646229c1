import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../app/index.js';
import { loadProjectConfig } from '../../app/index.js';
import { demoConfig, lakeLine } from './start.js';

const gamesYaml = fileURLToPath(new URL('../../../examples/games/lakestream.yaml', import.meta.url));

/** The games example replaying `file` (or a file in its data folder that does not exist yet). */
async function gamesReplaying(file?: string): Promise<ProjectConfig> {
  const config = await loadProjectConfig(gamesYaml);
  const replayed = file ?? join(config.dataDir, 'input', 'not-generated-yet.csv');
  return {
    ...config,
    sources: config.sources.map((s) => (s.type === 'replay' ? { ...s, file: replayed } : s)),
  };
}

function replayFile(config: ProjectConfig): string | undefined {
  const replay = config.sources.find((s) => s.type === 'replay');
  return replay?.type === 'replay' ? replay.file : undefined;
}

describe('demoConfig', () => {
  it('moves a replay file it generates with --data-dir, so the demo writes nothing into the checkout', async () => {
    const moved = demoConfig(await gamesReplaying(), { dataDir: '/tmp/demo/games', port: 9001 });
    expect(moved.dataDir).toBe('/tmp/demo/games');
    expect(replayFile(moved)).toBe(join('/tmp/demo/games', 'input', 'not-generated-yet.csv'));
    expect(moved.server.port).toBe(9001);
  });

  it('replays --dataset, else the file the project names when it exists, else the default dataset', async () => {
    const missing = await gamesReplaying();
    const shared = '/shared/data/vgsales.csv';
    expect(replayFile(demoConfig(missing, { dataset: '/data/vgsales.csv', defaultDataset: shared }))).toBe(
      '/data/vgsales.csv',
    );
    expect(replayFile(demoConfig(missing, { dataDir: '/tmp/demo/games', defaultDataset: shared }))).toBe(
      shared,
    );
    const existing = await gamesReplaying(gamesYaml);
    expect(replayFile(demoConfig(existing, { defaultDataset: shared }))).toBe(gamesYaml);
  });
});

describe('lakeLine', () => {
  it('says where the tables are and which catalog commits them, without secrets', async () => {
    const config = await gamesReplaying();
    expect(lakeLine(config)).toBe(`tables in ${join(config.dataDir, 'warehouse')}`);
    expect(
      lakeLine({
        ...config,
        storage: { type: 'local', path: '/lake/warehouse' },
        catalog: { type: 'rest', uri: 'http://10.0.0.5:8080/iceberg', token: 'secret' },
      }),
    ).toBe('tables in /lake/warehouse, committed through the REST catalog http://10.0.0.5:8080/iceberg');
    const postgres = lakeLine({
      ...config,
      storage: { type: 's3', bucket: 'lake', prefix: 'prod', conditionalWrites: false },
      catalog: { type: 'postgres', url: 'postgres://u:password@h/db' },
    });
    expect(postgres).toBe('tables in s3://lake/prod, committed through the PostgreSQL catalog');
  });
});
