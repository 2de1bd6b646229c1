{{ config(materialized='incremental', unique_key=['symbol', 'minute'], partition_by='day(minute)') }}
-- 1-minute OHLCV candles with VWAP and trade count. Each refresh recomputes the newest minute it
-- has (it may have been partial) and everything after it, and merges on (symbol, minute).
SELECT
  symbol,
  date_trunc('minute', trade_time) AS minute,
  arg_min(price, trade_id) AS open,
  max(price) AS high,
  min(price) AS low,
  arg_max(price, trade_id) AS close,
  sum(quantity) AS volume,
  sum(price * quantity) / nullif(sum(quantity), 0) AS vwap,
  count(*) AS trades
FROM {{ source('silver', 'trades') }}
{% if is_incremental() %}
WHERE trade_time >= (SELECT coalesce(max(minute), TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
{% endif %}
GROUP BY 1, 2
