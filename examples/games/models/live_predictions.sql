{{ config(materialized='incremental', unique_key='row') }}
-- Each replayed game with its real and predicted global sales and the deviation (the seed's
-- live_predictions); only rows a model predicted.
SELECT
  row,
  name,
  platform,
  genre,
  global_sales AS real_sales,
  pred_global_sales AS predicted_sales,
  pred_global_sales - global_sales AS deviation,
  pred_lo,
  pred_hi,
  model_version,
  event_time,
  wal_seq
FROM {{ source('silver', 'games') }}
WHERE pred_global_sales IS NOT NULL
{% if is_incremental() %}
  AND wal_seq > (SELECT coalesce(max(wal_seq), -1) FROM {{ this }})
{% endif %}
