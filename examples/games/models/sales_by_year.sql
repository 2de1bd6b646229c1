{{ config(materialized='table') }}
-- Games released and global sales per release year.
SELECT year, count(*) AS games, sum(global_sales) AS global_sales
FROM {{ source('silver', 'games') }}
WHERE year IS NOT NULL
GROUP BY 1
