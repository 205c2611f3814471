"""Placeholder replaced by the pisco page."""

import streamlit as st

from plan import ui

view = ui.page("pisco")
st.write("...")
