/** Least-squares line y = intercept + slope·x, or undefined with fewer than two distinct x. */
export function fitLine(
  xs: readonly number[],
  ys: readonly number[],
): { slope: number; intercept: number } | undefined {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return undefined;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Simple moving average and ±k population standard deviation over `window` values (null until full). */
export function bollinger(
  values: readonly number[],
  window = 20,
  k = 2,
): { mid: (number | null)[]; upper: (number | null)[]; lower: (number | null)[] } {
  const mid: (number | null)[] = [];
  const upper: (number | null)[] = [];
  const lower: (number | null)[] = [];
  for (let i = 0; i < values.length; i++) {
    if (i + 1 < window) {
      mid.push(null);
      upper.push(null);
      lower.push(null);
      continue;
    }
    const slice = values.slice(i + 1 - window, i + 1);
    const mean = slice.reduce((a, b) => a + b, 0) / window;
    const sd = Math.sqrt(slice.reduce((a, b) => a + (b - mean) ** 2, 0) / window);
    mid.push(mean);
    upper.push(mean + k * sd);
    lower.push(mean - k * sd);
  }
  return { mid, upper, lower };
}

/** RSI over `period` changes with simple averages (as gold.indicators computes it), or null. */
export function rsi(closes: readonly number[], period = 14): number | null {
  if (closes.length < period + 1) return null;
  let gains = 0;
  let losses = 0;
  for (let i = closes.length - period; i < closes.length; i++) {
    const change = closes[i]! - closes[i - 1]!;
    if (change > 0) gains += change;
    else losses -= change;
  }
  if (losses === 0) return 100;
  return 100 - 100 / (1 + gains / losses);
}

/** Population standard deviation of the last `window` one-step returns, in basis points. */
export function volatilityBps(closes: readonly number[], window = 20): number | null {
  const tail = closes.slice(-(window + 1));
  if (tail.length < 3) return null;
  const returns = tail.slice(1).map((close, i) => (close / tail[i]! - 1) * 10_000);
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  return Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
}
