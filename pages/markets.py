"""Placeholder replaced by the markets page."""

import streamlit as st

from plan import ui

view = ui.page("markets")
st.write("...")
