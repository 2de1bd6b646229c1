{{ config(materialized='table') }}
-- Publishers ranked by global sales (rank 1 = most).
SELECT
  publisher,
  count(*) AS games,
  sum(global_sales) AS global_sales,
  CAST(rank() OVER (ORDER BY sum(global_sales) DESC) AS INTEGER) AS sales_rank
FROM {{ source('silver', 'games') }}
WHERE publisher IS NOT NULL
GROUP BY 1
