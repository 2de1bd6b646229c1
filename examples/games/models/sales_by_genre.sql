{{ config(materialized='table') }}
-- Global sales per genre and year, so a dashboard can filter by genre.
SELECT genre, year, count(*) AS games, sum(global_sales) AS global_sales
FROM {{ source('silver', 'games') }}
GROUP BY 1, 2
