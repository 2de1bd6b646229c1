{{ config(materialized='table') }}
-- Hourly accuracy of the markets model per symbol (the seed's fct_model_performance).
SELECT
  symbol,
  date_trunc('hour', minute) AS hour,
  avg(actual_price) AS avg_actual,
  avg(predicted_price) AS avg_predicted,
  avg(abs(prediction_error)) AS mae,
  count(*) AS minutes
FROM {{ ref('predictions_vs_actuals') }}
GROUP BY 1, 2
