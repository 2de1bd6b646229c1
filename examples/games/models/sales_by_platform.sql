{{ config(materialized='table') }}
-- Global sales per platform.
SELECT platform, count(*) AS games, sum(global_sales) AS global_sales
FROM {{ source('silver', 'games') }}
GROUP BY 1
