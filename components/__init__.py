"""Figure builders: ``build_*`` functions that turn DataFrames into plotly figures.

No data access and no Streamlit here, so every chart can be built and tested alone.
"""
