{{ config(materialized='incremental', unique_key=['symbol', 'minute'], partition_by='day(minute)') }}
-- Per-symbol, per-minute summary: average, highest and lowest price and trade count (the seed's
-- gold_market_summary).
SELECT
  symbol,
  date_trunc('minute', trade_time) AS minute,
  avg(price) AS avg_price,
  max(price) AS max_price,
  min(price) AS min_price,
  count(*) AS trades
FROM {{ source('silver', 'trades') }}
{% if is_incremental() %}
WHERE trade_time >= (SELECT coalesce(max(minute), TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
{% endif %}
GROUP BY 1, 2
