import type { ConfigReject } from '../../../core/index.js';

/** A replay's backfill (`backfill:` of a `replay` source): a number of rows or a share of the file. */
export type ReplayBackfill = { readonly rows: number } | { readonly share: number };

/**
 * Parses `backfill: 8000` (rows) or `backfill: 50%` (a share of the file's rows); a number given
 * as text (an environment variable) counts as rows.
 */
export function parseReplayBackfill(value: unknown, key: string, bad: ConfigReject): ReplayBackfill {
  const text = String(value).trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent) {
    const share = Number(percent[1]) / 100;
    return share <= 1 ? { share } : bad(key, `'${text}' is more than the whole file; write at most 100%`);
  }
  if (
    (typeof value === 'number' || /^\d+$/.test(text)) &&
    Number.isInteger(Number(text)) &&
    Number(text) >= 0
  )
    return { rows: Number(text) };
  return bad(key, `'${text}' is neither a row count nor a share; write e.g. 8000 or 50%`);
}

/** The rows a backfill sends at once from a file of `totalRows` rows. */
export function backfillRowsOf(backfill: ReplayBackfill | undefined, totalRows: number): number {
  if (backfill === undefined) return 0;
  return Math.min(totalRows, 'rows' in backfill ? backfill.rows : Math.round(backfill.share * totalRows));
}
