{{ config(materialized='windowed', partition_by='day(day)') }}
-- Daily volume, notional and trade count per symbol. A refresh recomputes the newest day it has
-- (and any after it) from silver and rewrites just those day partitions.
SELECT
  symbol,
  date_trunc('day', trade_time) AS day,
  sum(quantity) AS volume,
  sum(price * quantity) AS notional,
  count(*) AS trades
FROM {{ source('silver', 'trades') }}
{% if is_incremental() %}
WHERE trade_time >= (SELECT coalesce(max(day), TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM {{ this }})
{% endif %}
GROUP BY 1, 2
