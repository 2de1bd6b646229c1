import { ErrorCode, lakeError } from '../core/index.js';
import type { PrimitiveType, Transform } from '../table/index.js';
import { baseType } from '../table/index.js';

const MICROS_PER_DAY = 86_400_000_000;
const MICROS_PER_HOUR = 3_600_000_000;

/**
 * SQL computing an Iceberg partition transform of a column expression, as the transform's result
 * value (days/hours/months/years since 1970 as INTEGER, floored before 1970). `bucket[N]` has no
 * DuckDB equivalent yet and fails with LS_UNSUPPORTED.
 */
export function partitionExpressionSql(
  transform: Transform,
  sourceType: PrimitiveType,
  column: string,
): string {
  const kind = baseType(sourceType);
  const temporal = kind === 'date' || kind.startsWith('timestamp');
  const epochMicros = kind === 'date' ? `(epoch_us(CAST(${column} AS TIMESTAMP)))` : `epoch_us(${column})`;
  if (transform === 'identity') return column;
  if (transform === 'void') return 'CAST(NULL AS INTEGER)';
  if (transform === 'day' && temporal) {
    return kind === 'date'
      ? `CAST(${column} - DATE '1970-01-01' AS INTEGER)`
      : `CAST(floor(${epochMicros} / ${MICROS_PER_DAY}.0) AS INTEGER)`;
  }
  if (transform === 'hour' && kind.startsWith('timestamp'))
    return `CAST(floor(${epochMicros} / ${MICROS_PER_HOUR}.0) AS INTEGER)`;
  if (transform === 'month' && temporal)
    return `CAST((year(${column}) - 1970) * 12 + month(${column}) - 1 AS INTEGER)`;
  if (transform === 'year' && temporal) return `CAST(year(${column}) - 1970 AS INTEGER)`;
  const width = Number(/^truncate\[(\d+)\]$/.exec(transform)?.[1] ?? NaN);
  if (Number.isInteger(width) && width > 0) {
    if (kind === 'int' || kind === 'long')
      return `(${column} - (((${column} % ${width}) + ${width}) % ${width}))`;
    if (kind === 'string') return `left(${column}, ${width})`;
  }
  throw lakeError(
    ErrorCode.UNSUPPORTED,
    `engine: writing partition transform ${transform} on a ${sourceType} column is not supported; use identity, year, month, day, hour or truncate`,
  );
}
