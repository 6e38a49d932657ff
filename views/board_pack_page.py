"""Board pack: placeholder while it is built this session (replaced by its helper)."""

import streamlit as st

st.title("Board pack")
st.info("This page is being built.")
