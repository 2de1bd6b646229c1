import { quoteLiteral } from '../engine/index.js';

/**
 * A DOUBLE literal that DuckDB reads back as exactly the same double: the shortest round-trip text,
 * parsed as DOUBLE (a bare `0.1` would be a DECIMAL).
 */
export function doubleSql(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`ml: ${value} is not a finite number`);
  return `CAST(${quoteLiteral(String(value))} AS DOUBLE)`;
}
