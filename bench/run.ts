/**
 * `npm run bench`: runs the scenarios of issue 8, prints one Markdown table (every figure beside a
 * baseline measured in the same run) and writes `<out>/<YYYY-MM-DD>.json`.
 *
 *   node --import tsx bench/run.ts [--quick] [--only <scenario,...>] [--out <dir>]
 *
 * Exits 1 when a scenario fails or a count that must be 0 (kill -9: lost, duplicated) is not;
 * 2 on a usage error.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startProgress, type Progress } from '../src/cli/progress.js';
import { createBenchContext } from './lib/bench-context.js';
import { parseBenchOptions, type BenchOptions } from './lib/options.js';
import { markdownTable, type ScenarioResult } from './lib/report.js';
import { FULL_SIZES, QUICK_SIZES } from './lib/sizes.js';
import { selectScenarios, type Scenario } from './scenarios/index.js';

let options: BenchOptions;
let scenarios: readonly Scenario[];
try {
  options = parseBenchOptions(process.argv.slice(2));
  scenarios = selectScenarios(options.only);
} catch (error) {
  process.stderr.write(
    `${error instanceof Error ? error.message : String(error)}\nusage: node --import tsx bench/run.ts [--quick] [--only <scenario,...>] [--out <dir>]\n`,
  );
  process.exit(2);
}
const sizes = options.quick ? QUICK_SIZES : FULL_SIZES;
const scratch = mkdtempSync(join(tmpdir(), 'lakestream-bench-'));
const started = performance.now();
const results: ScenarioResult[] = [];
let done = 0;
let bar: Progress = { update: () => {}, stop: () => {} };
const ctx = createBenchContext(scratch, options.quick, sizes, () => bar.update(++done));
try {
  for (const [index, scenario] of scenarios.entries()) {
    const steps = scenario.steps(sizes);
    done = 0;
    bar = startProgress(`[${index + 1}/${scenarios.length}] ${scenario.title}`, steps, 'steps');
    const start = performance.now();
    const base = { id: scenario.id, number: scenario.number, title: scenario.title };
    try {
      const outcome = await scenario.run(ctx);
      results.push({ ...base, ...outcome, status: outcome.status ?? 'ok', ms: performance.now() - start });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (process.env.LAKESTREAM_BENCH_DEBUG) console.error(error);
      results.push({ ...base, status: 'failed', rows: [], error: message, ms: performance.now() - start });
    } finally {
      bar.update(steps, steps);
      bar.stop();
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const durationMs = performance.now() - started;
const problems = results.flatMap((r) => [
  ...(r.status === 'failed' ? [`scenario ${r.number} (${r.id}) failed: ${r.error}`] : []),
  ...Object.entries(r.mustBeZero ?? {})
    .filter(([, count]) => count !== 0)
    .map(([name, count]) => `scenario ${r.number} (${r.id}): ${name} is ${count}, must be 0`),
]);
const notes = results.filter((r) => r.note && r.rows.length > 0).map((r) => `- ${r.number}. ${r.note}`);
process.stdout.write(
  [
    '',
    `lakestream bench${options.quick ? ' --quick' : ''}: node ${process.version}, ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GB, ${(durationMs / 1000).toFixed(0)} s`,
    '',
    markdownTable(results),
    '',
    ...notes,
    ...problems.map((p) => `FAILED: ${p}`),
    '',
  ].join('\n'),
);

const out = resolve(options.out);
mkdirSync(out, { recursive: true });
const file = join(out, `${new Date().toISOString().slice(0, 10)}.json`);
const report = {
  date: new Date().toISOString(),
  quick: options.quick,
  node: process.version,
  cpus: cpus().length,
  memoryBytes: totalmem(),
  durationMs: Math.round(durationMs),
  sizes,
  passed: problems.length === 0,
  problems,
  scenarios: results,
};
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`results written to ${file}\n`);
process.exitCode = problems.length === 0 ? 0 : 1;
