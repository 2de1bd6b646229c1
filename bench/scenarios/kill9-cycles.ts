/**
 * Scenario 10: the HTTP kill -9 integration test (test/integration/http-kill9.test.ts), run by
 * vitest in a child process with HTTP_KILL_CYCLES cycles; its JSON report line gives the counts.
 * Lost and duplicated must both be 0: the runner fails otherwise.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../lib/package-root.js';
import { resultRow } from '../lib/report.js';
import type { Scenario } from './scenario.js';

const TEST_FILE = 'test/integration/http-kill9.test.ts';
const REPORT_PREFIX = 'http kill -9 test: ';

interface KillReport {
  readonly kills: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly retried: number;
  readonly lostInBronze: number;
  readonly doubledInBronze: number;
  readonly lostOrDoubledInSilver: number;
}

export const kill9Cycles: Scenario = {
  id: 'kill9',
  number: 10,
  title: 'kill -9 cycles',
  steps: () => 1,
  run: async (ctx) => {
    const { code, output } = await runVitest(ctx.sizes.killCycles);
    ctx.tick();
    const line = output.split('\n').find((l) => l.includes(REPORT_PREFIX));
    if (!line) throw new Error(`kill -9: vitest exited ${code} without a report: ${output.slice(-2000)}`);
    const report = JSON.parse(line.slice(line.indexOf(REPORT_PREFIX) + REPORT_PREFIX.length)) as KillReport;
    // the counts can be 0 while another check of the test failed: say which, or the run fails blind
    if (code !== 0) console.error(`kill -9: vitest exited ${code}:\n${failureLines(output)}`);
    const zero = { of: 'value', op: '=', target: 0 } as const;
    return {
      rows: [
        resultRow(
          `acknowledged events over ${report.kills} SIGKILL cycles (${report.retried} retried batches)`,
          report.acknowledged,
          'events',
          {
            baseline: { label: 'sent', value: report.sent, unit: 'events' },
            goal: { of: 'ratio', op: '=', target: 1 },
          },
        ),
        resultRow('lost (acknowledged, not in bronze)', report.lostInBronze, 'events', { goal: zero }),
        resultRow('duplicated in bronze', report.doubledInBronze, 'events', { goal: zero }),
        resultRow('lost or duplicated in silver', report.lostOrDoubledInSilver, 'events', { goal: zero }),
      ],
      mustBeZero: {
        lost: report.lostInBronze,
        duplicated: report.doubledInBronze,
        silverLostOrDuplicated: report.lostOrDoubledInSilver,
        vitestExitCode: code ?? 1,
      },
    };
  },
};

/** The lines of vitest's output that say what failed (assertions, errors), at most 60. */
function failureLines(output: string): string {
  const lines = output.split('\n');
  const first = lines.findIndex((l) => /FAIL|Error|expected|Unhandled/.test(l));
  return lines.slice(Math.max(0, first), Math.max(0, first) + 60).join('\n');
}

function runVitest(cycles: number): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  const child = spawn(
    process.execPath,
    [join(PACKAGE_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', TEST_FILE],
    {
      cwd: PACKAGE_ROOT,
      env: { ...env, HTTP_KILL_CYCLES: String(cycles), FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
