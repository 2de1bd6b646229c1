{{ config(materialized='incremental', unique_key=['symbol', 'window_start'], partition_by='day(window_start)') }}
-- Per-symbol 1-minute windows sliding every 30 s: average price and population std-dev volatility
-- (the seed's silver windows). A window is written once the stream's newest trade is 10 s past its
-- end (the watermark) and never rewritten. The newest trade is taken from the trades the refresh
-- reads, not from a scan of all of silver: when any trade is newer than the last window it is the
-- same value, and when none is there is nothing to write either way.
WITH trades AS (
  SELECT symbol, price, trade_time
  FROM {{ source('silver', 'trades') }}
  {% if is_incremental() %}
  WHERE trade_time >= (SELECT coalesce(max(window_start) + INTERVAL 30 SECOND, TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
  {% endif %}
),
windowed AS (
  SELECT symbol, price,
    time_bucket(INTERVAL 30 SECOND, trade_time, TIMESTAMPTZ '1970-01-01 00:00:00+00') - to_seconds(30 * k) AS window_start
  FROM trades, range(2) AS shifts(k)
)
SELECT
  symbol,
  window_start,
  window_start + INTERVAL 1 MINUTE AS window_end,
  avg(price) AS avg_price,
  stddev_pop(price) AS volatility,
  count(*) AS trades
FROM windowed
GROUP BY 1, 2
HAVING window_start + INTERVAL 1 MINUTE <= (SELECT max(trade_time) FROM trades) - INTERVAL 10 SECOND
{% if is_incremental() %}
  AND window_start > (SELECT coalesce(max(window_start), TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
{% endif %}
