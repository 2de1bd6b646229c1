/** The `trades` stream of a test project (Binance trade fields), as `lakestream.yaml` lines. */
export function tradesStreamYaml(options: { expectations?: boolean } = {}): string {
  return `  trades:
    columns:
      - { name: symbol, type: string, path: $.s }
      - { name: trade_id, type: long, path: $.t }
      - { name: price, type: double, path: $.p }
      - { name: trade_time, type: timestamptz, path: $.T, encoding: epoch_ms }
    key: [symbol, trade_id]
    event_time: trade_time
${
  options.expectations
    ? `    expectations:
      - { name: price_positive, kind: range, column: price, min: 0, exclusive_min: true, action: quarantine }
`
    : ''
}`;
}

/** A test project's `lakestream.yaml` header: name, data folder, commit interval, a free port. */
export function projectHeaderYaml(name: string, commitIntervalMs: number, commitMaxAgeMs?: number): string {
  return `name: ${name}
data_dir: ./data
commit_interval_ms: ${commitIntervalMs}
${commitMaxAgeMs === undefined ? '' : `commit_max_age_ms: ${commitMaxAgeMs}\n`}server: { port: 0 }
`;
}

/** The `games` stream (row, name, global sales, event time) as YAML lines under `streams:`. */
export function gamesStreamYaml(watermark?: string): string {
  return `  games:
    columns:
      - { name: row, type: long }
      - { name: name, type: string, path: $.Name }
      - { name: global_sales, type: double, path: $.Global_Sales }
      - { name: event_time, type: timestamptz }
    key: [row]
    event_time: event_time
${watermark === undefined ? '' : `    watermark: ${watermark}\n`}`;
}
