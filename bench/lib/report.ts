/** What a scenario reports, and the one Markdown table the runner prints. */

/** A goal on a row's value or on its ratio to the baseline. */
export interface Goal {
  readonly of: 'ratio' | 'value';
  readonly op: '>=' | '<=' | '<' | '>' | '=';
  readonly target: number;
}

/** The same-run figure a value is compared with. */
export interface Baseline {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
}

/** One line of the table. `ratio` is always value / baseline. */
export interface ResultRow {
  readonly measure: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: Baseline;
  readonly ratio?: number;
  readonly goal?: Goal;
  readonly met?: boolean;
}

/** One scenario's outcome; `n/a` scenarios have no rows, only a note. */
export interface ScenarioResult {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly status: 'ok' | 'n/a' | 'failed';
  readonly rows: readonly ResultRow[];
  readonly note?: string;
  /** Counts that must be 0 for the run to pass (kill -9: lost and duplicated). */
  readonly mustBeZero?: Readonly<Record<string, number>>;
  /** Further figures for the JSON file (sizes, counts). */
  readonly details?: Readonly<Record<string, number>>;
  readonly error?: string;
  readonly ms: number;
}

/** Builds a row, computing the ratio and whether the goal is met. */
export function resultRow(
  measure: string,
  value: number,
  unit: string,
  options: { baseline?: Baseline; goal?: Goal } = {},
): ResultRow {
  const { baseline, goal } = options;
  const ratio = baseline && baseline.value !== 0 ? value / baseline.value : undefined;
  const judged = goal?.of === 'ratio' ? ratio : value;
  return {
    measure,
    value,
    unit,
    ...(baseline ? { baseline } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
    ...(goal ? { goal, met: judged !== undefined && meets(judged, goal) } : {}),
  };
}

function meets(value: number, goal: Goal): boolean {
  switch (goal.op) {
    case '>=':
      return value >= goal.target;
    case '<=':
      return value <= goal.target;
    case '<':
      return value < goal.target;
    case '>':
      return value > goal.target;
    case '=':
      return value === goal.target;
  }
}

const OP_TEXT: Record<Goal['op'], string> = { '>=': '≥', '<=': '≤', '<': '<', '>': '>', '=': '=' };

/** A number as the table shows it: integers grouped, small values with a few decimals. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 || Number.isInteger(value) ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function formatGoal(goal: Goal, unit: string): string {
  const target = formatNumber(goal.target);
  return goal.of === 'ratio'
    ? `ratio ${OP_TEXT[goal.op]} ${target}`
    : `${OP_TEXT[goal.op]} ${target} ${unit}`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The one Markdown table: scenario | measure | value | baseline (same run) | ratio | goal | met?. */
export function markdownTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | measure | value | baseline (same run) | ratio | goal | met? |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const result of results) {
    const scenario = `${result.number}. ${result.title}`;
    if (result.rows.length === 0) {
      const text =
        result.status === 'failed' ? `failed: ${result.error ?? 'unknown error'}` : (result.note ?? '');
      lines.push(`| ${cell(scenario)} | ${cell(text)} | | | | | ${result.status === 'failed' ? '✗' : ''} |`);
      continue;
    }
    result.rows.forEach((row, i) => {
      const baseline = row.baseline
        ? `${formatNumber(row.baseline.value)} ${row.baseline.unit} (${row.baseline.label})`
        : '';
      lines.push(
        [
          '',
          i === 0 ? cell(scenario) : '',
          cell(row.measure),
          `${formatNumber(row.value)} ${row.unit}`.trim(),
          cell(baseline),
          row.ratio === undefined ? '' : row.ratio.toFixed(row.ratio >= 10 ? 1 : 3),
          row.goal ? formatGoal(row.goal, row.unit) : '',
          row.met === undefined ? '' : row.met ? '✓' : '✗',
          '',
        ]
          .join(' | ')
          .trim(),
      );
    });
  }
  return lines.join('\n');
}
