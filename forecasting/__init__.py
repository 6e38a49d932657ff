"""Demand forecasting (pure: no Streamlit, no store): the series to forecast (``series``),
Prophet and its benchmarks (``models``), their rolling-origin backtest and scores
(``backtest``), and fitting every series in parallel (``refresh``)."""
