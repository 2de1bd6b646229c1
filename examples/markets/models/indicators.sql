{{ config(materialized='incremental', unique_key=['symbol', 'minute'], partition_by='day(minute)') }}
-- Technical indicators per symbol and minute from the candles: SMA(20) of the close, Bollinger
-- bands (20, 2σ, population std-dev) and RSI(14) with simple averages of gains and losses. Values
-- need a full window: NULL until 20 (SMA, bands) or 15 (RSI) candles exist. A refresh recomputes
-- the newest minute it has and everything after it, reading the candles of the day before them
-- for the windows.
WITH candles AS (
  SELECT symbol, minute, close, close - lag(close) OVER (PARTITION BY symbol ORDER BY minute) AS change
  FROM {{ ref('candles_1m') }}
  {% if is_incremental() %}
  WHERE minute >= (SELECT coalesce(max(minute) - INTERVAL 1 DAY, TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
  {% endif %}
),
indicators AS (
SELECT
  symbol,
  minute,
  close,
  CASE WHEN count(*) OVER w20 = 20 THEN avg(close) OVER w20 END AS sma_20,
  CASE WHEN count(*) OVER w20 = 20 THEN avg(close) OVER w20 + 2 * stddev_pop(close) OVER w20 END AS bollinger_upper,
  CASE WHEN count(*) OVER w20 = 20 THEN avg(close) OVER w20 - 2 * stddev_pop(close) OVER w20 END AS bollinger_lower,
  CASE
    WHEN count(change) OVER w14 < 14 THEN NULL
    WHEN avg(greatest(-change, 0)) OVER w14 = 0 THEN 100.0
    ELSE 100 - 100 / (1 + avg(greatest(change, 0)) OVER w14 / avg(greatest(-change, 0)) OVER w14)
  END AS rsi_14
FROM candles
WINDOW
  w20 AS (PARTITION BY symbol ORDER BY minute ROWS BETWEEN 19 PRECEDING AND CURRENT ROW),
  w14 AS (PARTITION BY symbol ORDER BY minute ROWS BETWEEN 13 PRECEDING AND CURRENT ROW)
)
SELECT * FROM indicators
{% if is_incremental() %}
WHERE minute >= (SELECT coalesce(max(minute), TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
{% endif %}
