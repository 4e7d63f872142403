"""UK Camera Atlas dashboard (placeholder until the dashboard lands)."""

import streamlit as st

st.set_page_config(page_title="UK Camera Atlas", layout="wide")
st.title("UK Camera Atlas")
st.write("The dashboard is being built; use `python -m geo table` meanwhile.")
