{{ config(materialized='table') }}
-- One row of headline figures: games, total sales, the best-selling year and platform.
SELECT
  (SELECT count(*) FROM {{ source('silver', 'games') }}) AS total_games,
  (SELECT sum(global_sales) FROM {{ source('silver', 'games') }}) AS total_sales,
  (SELECT year FROM {{ ref('sales_by_year') }} ORDER BY global_sales DESC, year LIMIT 1) AS best_year,
  (SELECT platform FROM {{ ref('sales_by_platform') }} ORDER BY global_sales DESC, platform LIMIT 1) AS leading_platform
