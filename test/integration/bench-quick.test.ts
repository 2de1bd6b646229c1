import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../bench/lib/report.js';
import { SCENARIOS } from '../../bench/scenarios/index.js';
import { kafkaAvailable } from '../support/kafka-broker.js';
import { postgresAvailable } from '../support/postgres-server.js';
import { spawnTs, waitForExit } from '../support/processes.js';

interface BenchReport {
  readonly quick: boolean;
  readonly passed: boolean;
  readonly problems: readonly string[];
  readonly scenarios: readonly ScenarioResult[];
}

/** A test that `npm run bench -- --quick` works end to end, not a timing assertion. */
describe('bench/run.ts --quick', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'lakestream-bench-quick-'));
  });
  afterAll(async () => rm(out, { recursive: true, force: true }));

  it('runs every scenario, prints one table and writes finite figures with kill -9 lost = duplicated = 0', async () => {
    const run = await waitForExit(spawnTs('bench/run.ts', ['--quick', '--out', out]));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(
      '| scenario | measure | value | baseline (same run) | ratio | goal | met? |',
    );

    const files = await readdir(out);
    expect(files).toEqual([expect.stringMatching(/^\d{4}-\d{2}-\d{2}\.json$/)]);
    const report = JSON.parse(await readFile(join(out, files[0]!), 'utf8')) as BenchReport;
    expect(report.quick).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.scenarios.map((s) => s.id)).toEqual(SCENARIOS.filter((s) => !s.onRequest).map((s) => s.id));

    for (const scenario of report.scenarios) {
      if (scenario.id === 'scaling' && !(kafkaAvailable() && postgresAvailable())) {
        expect(scenario.status).toBe('n/a');
        continue;
      }
      expect(scenario.status, `${scenario.id}: ${scenario.error ?? ''}`).toBe('ok');
      expect(scenario.rows.length, scenario.id).toBeGreaterThan(0);
      for (const row of scenario.rows) {
        const where = `${scenario.id}: ${row.measure}`;
        expect(Number.isFinite(row.value), where).toBe(true);
        if (row.baseline) expect(Number.isFinite(row.baseline.value), where).toBe(true);
        if (row.ratio !== undefined) expect(Number.isFinite(row.ratio), where).toBe(true);
      }
    }
    const kill9 = report.scenarios.find((s) => s.id === 'kill9')!;
    expect(kill9.mustBeZero).toMatchObject({ lost: 0, duplicated: 0, silverLostOrDuplicated: 0 });
  });
});
