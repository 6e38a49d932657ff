"""Audit trail: placeholder while it is built this session (replaced by its helper)."""

import streamlit as st

st.title("Audit trail")
st.info("This page is being built.")
