{{ config(materialized='incremental', unique_key=['symbol', 'minute'], partition_by='day(minute)') }}
-- The markets model's forecast for each symbol-minute (the same for every trade of the minute)
-- next to what happened: the minute's average price against the previous minute's. Each refresh
-- recomputes the newest minute it has (it may have been partial) and everything after it.
WITH bars AS (
  SELECT symbol, minute, avg_price,
    lag(avg_price) OVER (PARTITION BY symbol ORDER BY minute) AS previous_avg,
    lag(minute) OVER (PARTITION BY symbol ORDER BY minute) AS previous_minute
  FROM {{ ref('market_summary_1m') }}
  {% if is_incremental() %}
  WHERE minute >= (SELECT coalesce(max(minute) - INTERVAL 2 MINUTE, TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
  {% endif %}
),
forecasts AS (
  SELECT symbol, date_trunc('minute', trade_time) AS minute, max(model_version) AS model_version,
    avg(pred_next_return_bps) AS predicted_bps, avg(pred_lo) AS predicted_lo_bps, avg(pred_hi) AS predicted_hi_bps
  FROM {{ source('silver', 'trades') }}
  WHERE pred_next_return_bps IS NOT NULL
  {% if is_incremental() %}
    AND trade_time >= (SELECT coalesce(max(minute), TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
  {% endif %}
  GROUP BY 1, 2
)
SELECT
  f.symbol,
  f.minute,
  f.model_version,
  b.previous_avg * (1 + f.predicted_bps / 10000) AS predicted_price,
  b.avg_price AS actual_price,
  b.previous_avg * (1 + f.predicted_bps / 10000) - b.avg_price AS prediction_error,
  f.predicted_bps,
  (b.avg_price / b.previous_avg - 1) * 10000 AS actual_bps,
  f.predicted_lo_bps,
  f.predicted_hi_bps
FROM forecasts AS f
JOIN bars AS b ON b.symbol = f.symbol AND b.minute = f.minute AND b.previous_minute = f.minute - INTERVAL 1 MINUTE
