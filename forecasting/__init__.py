"""Demand forecasting (pure functions; Prophet models arrive with the forecasts issue)."""
