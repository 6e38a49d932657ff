"""All RCCs: placeholder while it is built this session (replaced by its helper)."""

import streamlit as st

st.title("All RCCs")
st.info("This page is being built.")
